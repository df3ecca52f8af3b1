package treasurehunt.journal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the tools name event types and print times (always UTC). */
final class Names {
  private Names() {}

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /** {@code Hunt.TreasureFound} for {@code treasurehunt.entities.Hunt$TreasureFound}. */
  static String type(String manifest, Object decoded) {
    String name = manifest == null ? "" : manifest;
    if (name.indexOf('.') < 0) // not a class name (e.g. Akka's own serializers' short codes)
    name = decoded != null ? decoded.getClass().getName() : name.isEmpty() ? "?" : name;
    int hash = name.indexOf('#'); // a Jackson manifest may carry a version: Class#2
    if (hash >= 0) name = name.substring(0, hash);
    name = name.substring(name.lastIndexOf('.') + 1);
    if (name.endsWith("$")) name = name.substring(0, name.length() - 1); // a Scala object
    return name.replace('$', '.');
  }

  /** The short type without the entity: {@code TreasureFound}. */
  static String shortType(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }

  /** {@code 2026-11-23 06:42:43.102} (UTC). */
  static String time(long epochMs) {
    return TIME.format(Instant.ofEpochMilli(epochMs));
  }

  static String iso(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
