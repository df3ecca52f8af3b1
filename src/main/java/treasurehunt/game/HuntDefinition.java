package treasurehunt.game;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A hunt as its organiser defined it (PROTOCOL.md §1). Persisted inside the hunt's first event, so
 * its shape only ever grows (new fields nullable; see docs/events.md on evolution).
 *
 * @param generate null, or a seeded scatter added to the explicit treasures
 * @param startsAt null, or epoch ms at which the hunt starts by itself
 * @param endsAt null, or epoch ms at which it ends by itself
 */
public record HuntDefinition(
    String huntId,
    String name,
    Area area,
    List<Treasure> treasures,
    Generate generate,
    int maxPlayers,
    double maxSpeedMps,
    boolean showPlayers,
    Long startsAt,
    Long endsAt,
    BandSettings bands) {

  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  public static final int MAX_TREASURES = 100_000;
  public static final double MAX_AREA_RADIUS_M = 100_000;
  public static final double MAX_TREASURE_RADIUS_M = 500;
  public static final int MAX_POINTS = 1_000_000;
  public static final int MAX_PLAYERS = 1_000_000;

  /** What is wrong with this definition, each message naming the field; empty when it is valid. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (huntId == null || !ID.matcher(huntId).matches())
      out.add("huntId: 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
    if (name == null || name.isBlank()) out.add("name: must not be blank");
    else if (name.length() > 200) out.add("name: at most 200 characters");
    boolean areaOk = false;
    if (area == null) out.add("area: required");
    else {
      if (!Geo.validLat(area.lat())) out.add("area.lat: must be a number in [-90, 90]");
      if (!Geo.validLon(area.lon())) out.add("area.lon: must be a number in [-180, 180]");
      if (!(area.radiusM() > 0 && area.radiusM() <= MAX_AREA_RADIUS_M))
        out.add("area.radiusM: must be in (0, " + (long) MAX_AREA_RADIUS_M + "]");
      areaOk =
          Geo.validLat(area.lat())
              && Geo.validLon(area.lon())
              && area.radiusM() > 0
              && area.radiusM() <= MAX_AREA_RADIUS_M;
      if (areaOk && Math.abs(area.lat()) > 85) {
        out.add("area.lat: hunts within 5° of a pole are not supported");
        areaOk = false;
      }
      if (areaOk) {
        double[] east = Geo.destination(area.lat(), area.lon(), 90, area.radiusM() * 1.01);
        double[] west = Geo.destination(area.lat(), area.lon(), 270, area.radiusM() * 1.01);
        if (east[1] < area.lon() || west[1] > area.lon()) {
          out.add("area: must not cross the ±180° meridian");
          areaOk = false;
        }
      }
    }
    Set<String> ids = new HashSet<>();
    List<Treasure> list = treasures == null ? List.of() : treasures;
    for (int i = 0; i < list.size(); i++) {
      Treasure t = list.get(i);
      String at = "treasures[" + i + "]";
      if (t == null) {
        out.add(at + ": required");
        continue;
      }
      if (t.id() == null || !ID.matcher(t.id()).matches())
        out.add(at + ".id: 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
      else if (!ids.add(t.id())) out.add(at + ".id: duplicate id " + t.id());
      else if (generate != null && t.id().startsWith("g-"))
        out.add(at + ".id: ids starting with 'g-' are reserved for generated treasures");
      boolean posOk = true;
      if (!Geo.validLat(t.lat())) {
        out.add(at + ".lat: must be a number in [-90, 90]");
        posOk = false;
      }
      if (!Geo.validLon(t.lon())) {
        out.add(at + ".lon: must be a number in [-180, 180]");
        posOk = false;
      }
      if (posOk && areaOk && !area.contains(t.lat(), t.lon())) out.add(at + ": outside the area");
      if (!(t.radiusM() > 0 && t.radiusM() <= MAX_TREASURE_RADIUS_M))
        out.add(at + ".radiusM: must be in (0, " + (long) MAX_TREASURE_RADIUS_M + "]");
      if (t.points() < 0 || t.points() > MAX_POINTS)
        out.add(at + ".points: must be in [0, " + MAX_POINTS + "]");
      if (t.hint() != null && t.hint().length() > 500)
        out.add(at + ".hint: at most 500 characters");
      if (t.answer() != null && t.answer().length() > 200)
        out.add(at + ".answer: at most 200 characters");
    }
    int total = list.size();
    if (generate != null) {
      if (generate.count() < 1 || generate.count() > MAX_TREASURES)
        out.add("generate.count: must be in [1, " + MAX_TREASURES + "]");
      else total += generate.count();
      if (generate.points() < 0 || generate.points() > MAX_POINTS)
        out.add("generate.points: must be in [0, " + MAX_POINTS + "]");
      if (!(generate.radiusM() > 0 && generate.radiusM() <= MAX_TREASURE_RADIUS_M))
        out.add("generate.radiusM: must be in (0, " + (long) MAX_TREASURE_RADIUS_M + "]");
    }
    if (list.isEmpty() && generate == null)
      out.add("treasures: a hunt needs at least one treasure (treasures or generate)");
    if (total > MAX_TREASURES) out.add("treasures: at most " + MAX_TREASURES + " in all");
    if (maxPlayers < 1 || maxPlayers > MAX_PLAYERS)
      out.add("maxPlayers: must be in [1, " + MAX_PLAYERS + "]");
    if (!(maxSpeedMps > 0 && maxSpeedMps <= 1000)) out.add("maxSpeedMps: must be in (0, 1000]");
    if (startsAt != null && startsAt < 0) out.add("startsAt: must be epoch milliseconds");
    if (endsAt != null && endsAt < 0) out.add("endsAt: must be epoch milliseconds");
    if (startsAt != null && endsAt != null && endsAt <= startsAt)
      out.add("endsAt: must be after startsAt");
    if (bands != null) {
      if (!(bands.hotM() > 0 && bands.hotM() <= 10_000)) out.add("hotM: must be in (0, 10000]");
      if (!(bands.warmM() >= bands.hotM() && bands.warmM() <= 10_000))
        out.add("warmM: must be in [hotM, 10000]");
    }
    return out;
  }

  /** The explicit treasures followed by the generated ones ({@code g-1} … {@code g-N}). */
  public TreasureLayout layout() {
    List<Treasure> list = new ArrayList<>(treasures == null ? List.of() : treasures);
    if (generate != null && area != null) list.addAll(Scatter.scatter(area, generate));
    return new TreasureLayout(list);
  }
}
