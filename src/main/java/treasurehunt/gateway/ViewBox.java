package treasurehunt.gateway;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import treasurehunt.game.PositionGrid;

/**
 * The box of a {@code view} frame (protocol 1.1, docs/protocol.md §7.1), in degrees, as the client
 * sent it; {@link #check} refuses what the grid does not serve: outside the globe, upside down,
 * across the antimeridian, or larger than {@link #MAX_SPAN} a side.
 */
record ViewBox(
    @JsonDeserialize(using = ClientFrame.NumberNotNull.class) Double south,
    @JsonDeserialize(using = ClientFrame.NumberNotNull.class) Double west,
    @JsonDeserialize(using = ClientFrame.NumberNotNull.class) Double north,
    @JsonDeserialize(using = ClientFrame.NumberNotNull.class) Double east) {

  /** The largest box, in degrees from south to north and from west to east. */
  static final double MAX_SPAN = 0.5;

  void check(FrameChecks c) {
    c.number("box.south", south, -90, 90);
    c.number("box.west", west, -180, 180);
    c.number("box.north", north, -90, 90);
    c.number("box.east", east, -180, 180);
    if (south > north) throw c.bad("box: south must be ≤ north");
    if (west > east)
      throw c.bad(
          "box: west must be ≤ east (a box across the antimeridian is not supported; send the part"
              + " on one side)");
    if (north - south > MAX_SPAN || east - west > MAX_SPAN)
      throw c.bad(
          "box: at most "
              + MAX_SPAN
              + "° from south to north and from west to east; zoom in or send a smaller box");
  }

  PositionGrid.Box area() {
    return new PositionGrid.Box(south, west, north, east);
  }
}
