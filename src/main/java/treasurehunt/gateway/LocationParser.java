package treasurehunt.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The common {@code location} frame read straight from the text with Jackson's streaming parser,
 * without the tree and the two bindings of {@link ClientFrame#parse}'s general path: that path was
 * ~15 % of the bytes a report allocates and ~2 % of the node's CPU at saturation (BENCHMARKS.md,
 * issue 13, "session 11").
 *
 * <p>It takes only a frame whose every field is one of the location's own, once each, with the type
 * the general path binds without complaint: {@code type} "location", {@code id} a valid id, {@code
 * hunt} a string, {@code lat}/{@code lon} finite numbers, {@code at} an integer that fits a long,
 * {@code accuracyM} a number or null, and nothing after the object. Anything else (a missing or
 * unknown field, a duplicate, a wrong type, malformed JSON) returns null and the frame takes the
 * general path, which answers it exactly as before. So for every frame the result is the one the
 * general path gives: {@code LocationParserTest} holds the two to each other on frames built to sit
 * on both sides of every condition above.
 */
final class LocationParser {
  private LocationParser() {}

  /** The strict mapper's factory: the same read features (no NaN, no comments) as the tree. */
  private static final JsonFactory FACTORY = Json.MAPPER.getFactory();

  private static final int TYPE = 1, ID = 2, HUNT = 4, LAT = 8, LON = 16, AT = 32, ACCURACY = 64;

  /** The frame as a {@link ClientFrame.Location} (not yet checked), or null: the general path. */
  static ClientFrame.Location read(String text) {
    String type = null, id = null, hunt = null;
    Double lat = null, lon = null, accuracy = null;
    Long at = null;
    int seen = 0;
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.getCurrentName();
        JsonToken v = p.nextToken();
        int field;
        switch (name) {
          case "type" -> {
            field = TYPE;
            if (v != JsonToken.VALUE_STRING) return null;
            type = p.getText();
          }
          case "id" -> {
            field = ID;
            if (v != JsonToken.VALUE_STRING) return null;
            id = p.getText();
          }
          case "hunt" -> {
            field = HUNT;
            if (v != JsonToken.VALUE_STRING) return null;
            hunt = p.getText();
          }
          case "lat" -> {
            field = LAT;
            if (!number(v)) return null;
            lat = p.getDoubleValue();
          }
          case "lon" -> {
            field = LON;
            if (!number(v)) return null;
            lon = p.getDoubleValue();
          }
          case "at" -> {
            field = AT;
            if (v != JsonToken.VALUE_NUMBER_INT) return null;
            JsonParser.NumberType n = p.getNumberType();
            if (n != JsonParser.NumberType.INT && n != JsonParser.NumberType.LONG) return null;
            at = p.getLongValue();
          }
          case "accuracyM" -> {
            field = ACCURACY;
            if (v == JsonToken.VALUE_NULL) accuracy = null;
            else if (number(v)) accuracy = p.getDoubleValue();
            else return null;
          }
          default -> {
            return null;
          }
        }
        if ((seen & field) != 0) return null;
        seen |= field;
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) return null;
    } catch (IOException e) {
      return null;
    }
    if (!"location".equals(type) || !Ids.valid(id)) return null;
    if (lat != null && !Double.isFinite(lat) || lon != null && !Double.isFinite(lon)) return null;
    if (accuracy != null && !Double.isFinite(accuracy)) return null;
    return new ClientFrame.Location(id, hunt, lat, lon, at, accuracy);
  }

  private static boolean number(JsonToken t) {
    return t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT;
  }
}
