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
}
