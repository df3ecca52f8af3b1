package treasurehunt.gateway;

import java.util.ArrayList;
import java.util.List;
import treasurehunt.game.Area;
import treasurehunt.game.BandSettings;
import treasurehunt.game.Generate;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/**
 * The hunt definition as posted to {@code POST /api/hunts} (PROTOCOL.md §1), with the engine's
 * documented extensions {@code hotM} and {@code warmM}. Boxed fields so that a missing field is
 * told apart from zero.
 */
public record HuntBody(
    String huntId,
    String name,
    AreaBody area,
    List<TreasureBody> treasures,
    GenerateBody generate,
    Integer maxPlayers,
    Double maxSpeedMps,
    Boolean showPlayers,
    Long startsAt,
    Long endsAt,
    Double hotM,
    Double warmM) {

  public record AreaBody(Double lat, Double lon, Double radiusM) {}

  public record TreasureBody(
      String id,
      Double lat,
      Double lon,
      Double radiusM,
      Integer points,
      String hint,
      String answer,
      Boolean exclusive) {}

  public record GenerateBody(Integer count, Long seed, Integer points, Double radiusM) {}

  /** Defaults for what the protocol leaves optional. */
  static final int DEFAULT_MAX_PLAYERS = 10_000;

  static final double DEFAULT_MAX_SPEED = 50;
  static final double DEFAULT_TREASURE_RADIUS = 15;
  static final int DEFAULT_POINTS = 100;
  static final int DEFAULT_GENERATED_POINTS = 50;
  static final double DEFAULT_GENERATED_RADIUS = 20;

  /**
   * The definition, or the list of what is missing. Range checks are the game rules' ({@link
   * HuntDefinition#problems()}); this only checks presence.
   */
  public HuntDefinition toDefinition(String id, List<String> missing) {
    if (name == null) missing.add("name: required");
    if (area == null) missing.add("area: required");
    else {
      if (area.lat() == null) missing.add("area.lat: required");
      if (area.lon() == null) missing.add("area.lon: required");
      if (area.radiusM() == null) missing.add("area.radiusM: required");
    }
    List<Treasure> list = new ArrayList<>();
    if (treasures != null) {
      for (int i = 0; i < treasures.size(); i++) {
        TreasureBody t = treasures.get(i);
        if (t == null) {
          missing.add("treasures[" + i + "]: must be an object");
          continue;
        }
        if (t.id() == null) missing.add("treasures[" + i + "].id: required");
        if (t.lat() == null) missing.add("treasures[" + i + "].lat: required");
        if (t.lon() == null) missing.add("treasures[" + i + "].lon: required");
        if (t.id() != null && t.lat() != null && t.lon() != null)
          list.add(
              new Treasure(
                  t.id(),
                  t.lat(),
                  t.lon(),
                  t.radiusM() == null ? DEFAULT_TREASURE_RADIUS : t.radiusM(),
                  t.points() == null ? DEFAULT_POINTS : t.points(),
                  t.hint(),
                  t.answer() == null || t.answer().isBlank() ? null : t.answer(),
                  Boolean.TRUE.equals(t.exclusive())));
      }
    }
    Generate gen = null;
    if (generate != null) {
      if (generate.count() == null) missing.add("generate.count: required");
      else
        gen =
            new Generate(
                generate.count(),
                generate.seed() == null ? 1L : generate.seed(),
                generate.points() == null ? DEFAULT_GENERATED_POINTS : generate.points(),
                generate.radiusM() == null ? DEFAULT_GENERATED_RADIUS : generate.radiusM());
    }
    if (treasures == null && generate == null) missing.add("treasures or generate: required");
    if (!missing.isEmpty()) return null;
    BandSettings bands =
        new BandSettings(
            hotM == null ? BandSettings.DEFAULT.hotM() : hotM,
            warmM == null ? BandSettings.DEFAULT.warmM() : warmM);
    return new HuntDefinition(
        id,
        name,
        new Area(area.lat(), area.lon(), area.radiusM()),
        List.copyOf(list),
        gen,
        maxPlayers == null ? DEFAULT_MAX_PLAYERS : maxPlayers,
        maxSpeedMps == null ? DEFAULT_MAX_SPEED : maxSpeedMps,
        Boolean.TRUE.equals(showPlayers),
        startsAt,
        endsAt,
        bands);
  }
}
