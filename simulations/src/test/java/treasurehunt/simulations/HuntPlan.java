package treasurehunt.simulations;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A hunt the simulation defines itself, with treasures at positions it chose: that is the only
 * reason the bots may walk towards treasures (a real client never learns where they are). Positions
 * are kept in metres east/north of the area's centre; {@link #lat}/{@link #lon} convert
 * (equirectangular, fine for a few kilometres).
 */
public final class HuntPlan {
  public record Treasure(
      String id,
      double x,
      double y,
      double radiusM,
      int points,
      String answer,
      boolean exclusive) {}

  public final String id;
  public final double lat0;
  public final double lon0;
  public final double radiusM;
  public final List<Treasure> treasures;
  public final int maxPlayers;

  private static final double M_PER_DEG = 111_320;

  public HuntPlan(
      String id,
      double lat0,
      double lon0,
      double radiusM,
      List<Treasure> treasures,
      int maxPlayers) {
    this.id = id;
    this.lat0 = lat0;
    this.lon0 = lon0;
    this.radiusM = radiusM;
    this.treasures = treasures;
    this.maxPlayers = maxPlayers;
  }

  /**
   * A seeded layout: {@code count} treasures in a disc of {@code radiusM}; one in five needs an
   * answer ("a" + its index), one in ten is exclusive. The same seed gives the same layout.
   */
  public static HuntPlan generate(String id, long seed, double radiusM, int count, int maxPlayers) {
    Random r = new Random(seed);
    double lat0 = 52.30 + r.nextDouble() * 0.1;
    double lon0 = 4.80 + r.nextDouble() * 0.1;
    List<Treasure> ts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      double a = r.nextDouble() * 2 * Math.PI;
      double d = Math.sqrt(r.nextDouble()) * radiusM * 0.9;
      boolean answer = i % 5 == 4;
      ts.add(
          new Treasure(
              "t" + i,
              d * Math.cos(a),
              d * Math.sin(a),
              25,
              answer ? 100 : 50,
              answer ? "a" + i : null,
              i % 10 == 9));
    }
    return new HuntPlan(id, lat0, lon0, radiusM, List.copyOf(ts), maxPlayers);
  }

  public double lat(double y) {
    return lat0 + y / M_PER_DEG;
  }

  public double lon(double x) {
    return lon0 + x / (M_PER_DEG * Math.cos(Math.toRadians(lat0)));
  }

  /** The organiser's definition (POST /api/hunts). */
  public String definitionJson() {
    StringBuilder b = new StringBuilder();
    b.append("{\"huntId\":\"")
        .append(id)
        .append("\",\"name\":\"Simulation ")
        .append(id)
        .append("\",");
    b.append("\"area\":{\"lat\":")
        .append(lat0)
        .append(",\"lon\":")
        .append(lon0)
        .append(",\"radiusM\":")
        .append(radiusM)
        .append("},");
    b.append("\"treasures\":[");
    for (int i = 0; i < treasures.size(); i++) {
      Treasure t = treasures.get(i);
      if (i > 0) b.append(',');
      b.append("{\"id\":\"")
          .append(t.id())
          .append("\",\"lat\":")
          .append(lat(t.y()))
          .append(",\"lon\":")
          .append(lon(t.x()))
          .append(",\"radiusM\":")
          .append(t.radiusM())
          .append(",\"points\":")
          .append(t.points())
          .append(",\"hint\":\"hint ")
          .append(t.id())
          .append("\",\"exclusive\":")
          .append(t.exclusive());
      if (t.answer() != null) b.append(",\"answer\":\"").append(t.answer()).append('"');
      b.append('}');
    }
    b.append("],\"maxPlayers\":").append(maxPlayers).append(",\"maxSpeedMps\":50}");
    return b.toString();
  }

  public Treasure treasure(String id) {
    for (Treasure t : treasures) if (t.id().equals(id)) return t;
    return null;
  }
}
