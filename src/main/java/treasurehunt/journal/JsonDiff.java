package treasurehunt.journal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.TreeSet;

/** The first difference between two JSON trees, as a JSON pointer with both values. */
final class JsonDiff {
  private JsonDiff() {}

  /**
   * Null when equal (object members in any order), else e.g. {@code /members/p-1/score: 400 vs
   * 100}.
   */
  static String first(JsonNode a, JsonNode b) {
    if (a.equals(b)) return null;
    return walk("", a, b);
  }

  private static String walk(String path, JsonNode a, JsonNode b) {
    if (a.isObject() && b.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        JsonNode x = a.get(n), y = b.get(n);
        String p = path + "/" + n.replace("~", "~0").replace("/", "~1");
        if (x == null)
          return p + ": missing in the replayed state, " + shorten(y) + " in the snapshot";
        if (y == null)
          return p + ": " + shorten(x) + " in the replayed state, missing in the snapshot";
        if (!x.equals(y)) return walk(p, x, y);
      }
    } else if (a.isArray() && b.isArray()) {
      Iterator<JsonNode> x = a.elements(), y = b.elements();
      int i = 0;
      while (x.hasNext() && y.hasNext()) {
        JsonNode u = x.next(), v = y.next();
        if (!u.equals(v)) return walk(path + "/" + i, u, v);
        i++;
      }
      if (a.size() != b.size())
        return path
            + ": "
            + a.size()
            + " entries in the replayed state, "
            + b.size()
            + " in the snapshot";
    }
    return (path.isEmpty() ? "/" : path)
        + ": "
        + shorten(a)
        + " in the replayed state, "
        + shorten(b)
        + " in the snapshot";
  }

  private static String shorten(JsonNode n) {
    String s = n.toString();
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }
}
