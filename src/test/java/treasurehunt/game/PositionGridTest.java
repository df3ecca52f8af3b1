package treasurehunt.game;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The grid behind viewports (docs/protocol.md §7.1): cells, short numbers, the interval's moves.
 */
class PositionGridTest {

  @Test
  void aPlayerKeepsItsNumberAndIsInOneCellAtATime() {
    PositionGrid g = new PositionGrid();
    g.move("p-a", 52.3702, 4.8952);
    g.move("p-b", 52.3802, 4.8952);
    int a = g.get(1).n;
    assertEquals("p-a", g.get(1).playerId);
    assertEquals("p-b", g.get(2).playerId);
    long first = PositionGrid.cell(52.3702, 4.8952);
    assertEquals(1, g.in(first).size());

    // A move to another cell: both cells are in the interval's moves, the old one is left empty.
    g.endInterval();
    g.move("p-a", 52.3752, 4.8952);
    long second = PositionGrid.cell(52.3752, 4.8952);
    assertTrue(g.moved().containsKey(first) && g.moved().containsKey(second), "" + g.moved());
    assertFalse(g.cells().containsKey(first), "an empty cell is dropped");
    assertEquals(a, g.in(second).iterator().next().n);

    // Leaving the hunt: marked removed in the moves; coming back: the same number.
    g.endInterval();
    g.remove("p-a");
    assertNull(g.get(a));
    assertTrue(g.moved().get(second).iterator().next().removed);
    g.move("p-a", 52.3702, 4.8952);
    assertEquals(a, g.get(a).n);
    assertEquals(2, g.size());
  }

  @Test
  void aBoxTouchesTheCellsItCovers() {
    PositionGrid.Box box = new PositionGrid.Box(52.3691, 4.8941, 52.3709, 4.8969);
    assertTrue(box.touches(PositionGrid.cell(52.3702, 4.8952)));
    assertFalse(box.touches(PositionGrid.cell(52.38, 4.8952)));
    assertFalse(box.touches(PositionGrid.cell(52.3702, 4.91)));
    assertEquals(2 * 2, box.cells(), "rows 26184-26185, columns 2447-2448 of 0.002°");
    assertTrue(box.contains(52.37, 4.895));
    assertFalse(box.contains(52.3712, 4.895));
    // Negative coordinates round down, as the cells do.
    PositionGrid.Box south = new PositionGrid.Box(-33.9, -70.7, -33.899, -70.699);
    assertTrue(south.touches(PositionGrid.cell(-33.8995, -70.6995)));
    assertEquals(Set.of(), new PositionGrid().in(PositionGrid.cell(0, 0)));
  }
}
