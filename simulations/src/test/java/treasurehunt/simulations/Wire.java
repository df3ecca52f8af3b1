package treasurehunt.simulations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The encoding of a run's frames ({@code -Dencoding=json|cbor}, default json; docs/protocol.md
 * §2.1). The bots build their frames as JSON text whatever the encoding; with CBOR each is sent as
 * the CBOR map of the same tree (definite lengths, which the server requires) in a binary frame,
 * and the server's binary frames are read back into the tree {@link Bot#onFrame(byte[])} reads.
 */
final class Wire {
  private Wire() {}

  static final String SUBPROTOCOL = "treasure-hunt.v1.cbor";

  /** Whether this run speaks CBOR. */
  static final boolean CBOR = "cbor".equalsIgnoreCase(Settings.ENCODING);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CBORMapper READER = new CBORMapper();
  private static final CBORFactory FACTORY = new CBORFactory();

  /** The frame written as JSON, as CBOR bytes. */
  static byte[] cbor(String json) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(json.length());
      try (CBORGenerator g = FACTORY.createGenerator(out)) {
        write(g, JSON.readTree(json));
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(CBORGenerator g, JsonNode n) throws IOException {
    if (n.isObject()) {
      g.writeStartObject(n, n.size());
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        g.writeFieldName(e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (n.isArray()) {
      g.writeStartArray(n, n.size());
      for (JsonNode item : n) write(g, item);
      g.writeEndArray();
    } else if (n.isTextual()) g.writeString(n.textValue());
    else if (n.isBoolean()) g.writeBoolean(n.booleanValue());
    else if (n.isNull()) g.writeNull();
    else if (n.isIntegralNumber()) g.writeNumber(n.longValue());
    else g.writeNumber(n.doubleValue());
  }

  /** One-entry cache: an await's matching and its check read the same frame one after the other. */
  private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(() -> new Object[2]);

  /** A server frame's CBOR as its tree (null when it is not CBOR). */
  static JsonNode tree(byte[] bytes) {
    Object[] last = LAST.get();
    if (last[0] == bytes) return (JsonNode) last[1];
    JsonNode n;
    try {
      n = READER.readTree(bytes);
    } catch (IOException e) {
      n = null;
    }
    last[0] = bytes;
    last[1] = n;
    return n;
  }

  /** The frame's {@code type}, or "". */
  static String type(JsonNode n) {
    return n == null ? "" : n.path("type").asText("");
  }
}
