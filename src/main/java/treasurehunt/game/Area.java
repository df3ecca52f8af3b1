package treasurehunt.game;

/** The circular playing area of a hunt. */
public record Area(double lat, double lon, double radiusM) {
  public boolean contains(double pLat, double pLon) {
    return Geo.distanceM(lat, lon, pLat, pLon) <= radiusM;
  }
}
