package treasurehunt.gateway;

import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a connection's frames travel (docs/protocol.md §2.1): JSON text frames, as in version 1, or
 * CBOR binary frames. The client chooses with the WebSocket subprotocol; the message model is the
 * same, only the encoding differs. Every server frame goes out through {@link #render}, so a new
 * frame type is written in both encodings without anything of its own.
 */
enum Encoding {
  JSON("treasure-hunt.v1.json", false),
  CBOR("treasure-hunt.v1.cbor", true);

  /** The WebSocket subprotocol that selects this encoding. */
  final String subprotocol;

  /** Whether its frames are binary WebSocket messages. */
  final boolean binary;

  Encoding(String subprotocol, boolean binary) {
    this.subprotocol = subprotocol;
    this.binary = binary;
  }

  /**
   * The outcome of the upgrade request's {@code Sec-WebSocket-Protocol}: the encoding and the
   * subprotocol the answer names (null: the answer names none).
   */
  record Choice(Encoding encoding, String subprotocol) {}

  /** No subprotocol asked for, or none this server knows: JSON, and no subprotocol answered. */
  static final Choice PLAIN = new Choice(JSON, null);

  /**
   * The first subprotocol offered (in the client's order of preference) that names an encoding;
   * when none does, JSON without answering a subprotocol (RFC 6455 §4.2.2: the client then decides
   * whether to go on).
   */
  static Choice negotiate(Iterable<String> offered) {
    for (String p : offered)
      for (Encoding e : values()) if (e.subprotocol.equals(p)) return new Choice(e, p);
    return PLAIN;
  }

  /** One server frame in this encoding: the only place frames are written for the socket. */
  WebSocketFrames.Send render(JsonNode frame) {
    if (binary) return new WebSocketFrames.Send(Cbor.write(frame), true);
    try {
      return new WebSocketFrames.Send(
          ByteString.fromArrayUnsafe(Json.MAPPER.writeValueAsBytes(frame)), false);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
