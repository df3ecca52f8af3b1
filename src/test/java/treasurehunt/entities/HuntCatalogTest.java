package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import treasurehunt.game.Area;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

class HuntCatalogTest {
  static HuntDefinition hunt(String id) {
    Treasure t = new Treasure("t", 52.37, 4.89, 15, 10, null, null, false);
    return new HuntDefinition(
        id, id, new Area(52.37, 4.89, 500), List.of(t), null, 10, 10, false, null, null, null);
  }

  @Test
  void aHuntIsIndexedOnceAndReadBack() {
    HuntCatalog catalog = new HuntCatalog();
    assertNull(catalog.get("a"));
    HuntCatalog.Rules first = catalog.put(hunt("a"));
    assertEquals("a", first.definition().huntId());
    assertEquals(1, first.layout().size());
    assertSame(first, catalog.get("a"));
    assertSame(first, catalog.put(hunt("a")), "cached: not indexed again");
  }

  @Test
  void theCatalogStaysBoundedAndKeepsTheHuntJustPut() {
    HuntCatalog catalog = new HuntCatalog();
    int total = HuntCatalog.CAPACITY * 3;
    for (int i = 0; i < total; i++) {
      String id = "h" + i;
      HuntCatalog.Rules rules = catalog.put(hunt(id));
      assertSame(rules, catalog.get(id), "the hunt just put is there for the stashed command");
    }
    int present = 0;
    for (int i = 0; i < total; i++) if (catalog.get("h" + i) != null) present++;
    assertTrue(present <= HuntCatalog.CAPACITY, "at most CAPACITY hunts: " + present);
    assertTrue(present >= HuntCatalog.CAPACITY * 9 / 10, "evicts only past the bound: " + present);
  }

  @Test
  void aHuntsStatusIsRecheckedByOnePlayerAtATimeUntilItEnds() {
    HuntCatalog catalog = new HuntCatalog();
    long t = 1_000_000;
    assertNull(catalog.status("a"));
    assertFalse(catalog.recheckDue("a", t, 1000), "unknown: loaded with the rules, not rechecked");
    catalog.learnt("a", Hunt.Status.CREATED, t);
    assertEquals(Hunt.Status.CREATED, catalog.status("a"));
    assertFalse(catalog.recheckDue("a", t + 999, 1000), "just learnt");
    assertTrue(catalog.recheckDue("a", t + 1000, 1000), "due: this caller asks");
    assertFalse(catalog.recheckDue("a", t + 1500, 1000), "someone is asking already");
    assertTrue(catalog.recheckDue("a", t + 2000, 1000), "no answer came: ask again");
    catalog.learnt("a", Hunt.Status.LIVE, t + 2100);
    assertEquals(Hunt.Status.LIVE, catalog.status("a"));
    catalog.learnt("a", Hunt.Status.CREATED, t + 2200);
    assertEquals(Hunt.Status.LIVE, catalog.status("a"), "a late answer never goes back");
    assertFalse(catalog.recheckDue("a", t + 2500, 1000));
    catalog.doubt("a");
    assertTrue(catalog.recheckDue("a", t + 2600, 1000), "doubted: asked at the next chance");
    catalog.learnt("a", Hunt.Status.ENDED, t + 2700);
    assertFalse(catalog.recheckDue("a", t + 1_000_000, 1000), "ended is final");
    assertEquals(Hunt.Status.ENDED, catalog.status("a"));
  }
}
