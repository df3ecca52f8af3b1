package treasurehunt.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client written on a bare socket (RFC 6455), for what a well-behaved library will not
 * send: invalid UTF-8, fragments, binary frames, raw bytes. Client frames are masked as the RFC
 * requires. Reads server frames one at a time: text frames as JSON, binary frames as CBOR (read
 * into the same tree), a close frame as its code.
 */
public final class RawWebSocket implements AutoCloseable {
  public static final int TEXT = 1, BINARY = 2, CONTINUATION = 0, CLOSE = 8, PING = 9, PONG = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  /** What the server sent last: a text frame's JSON, or {@code null} and {@link #closeCode}. */
  public Integer closeCode;

  /** The opcode of the last frame {@link #next} returned ({@link #TEXT} or {@link #BINARY}). */
  public int lastOpcode;

  /** The server's {@code Sec-WebSocket-Protocol} answer, or null. */
  public String subprotocol;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static RawWebSocket connect(int port, String query) throws IOException {
    return connect(port, query, null);
  }

  /** Connects offering {@code subprotocols} (a {@code Sec-WebSocket-Protocol} value), or none. */
  public static RawWebSocket connect(int port, String query, String subprotocols)
      throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(15_000);
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String request =
        "GET /ws"
            + (query == null ? "" : "?" + query)
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + (subprotocols == null ? "" : "\r\nSec-WebSocket-Protocol: " + subprotocols)
            + "\r\n\r\n";
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    RawWebSocket ws = new RawWebSocket(s);
    String status = ws.readLine();
    if (!status.startsWith("HTTP/1.1 101")) throw new IOException("no upgrade: " + status);
    String header;
    while (!(header = ws.readLine()).isEmpty()) {
      int colon = header.indexOf(':');
      if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("Sec-WebSocket-Protocol"))
        ws.subprotocol = header.substring(colon + 1).trim();
    }
    return ws;
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) throw new EOFException();
      if (b != '\r') line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** Sends one frame with the given opcode and FIN bit, masked. */
  public void frame(int opcode, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | opcode);
    int n = payload.length;
    if (n < 126) f.write(0x80 | n);
    else if (n < 65536) {
      f.write(0x80 | 126);
      f.write(n >>> 8);
      f.write(n);
    } else {
      f.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) f.write((int) ((long) n >>> shift));
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    f.write(mask);
    for (int i = 0; i < n; i++) f.write(payload[i] ^ mask[i & 3]);
    out.write(f.toByteArray());
    out.flush();
  }

  public void text(String json) throws IOException {
    frame(TEXT, true, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The next text frame from the server as JSON; {@code null} when the server closed (then {@link
   * #closeCode} holds the code, or -1 for a connection dropped without a close frame). Server pings
   * are answered and skipped.
   */
  public JsonNode next() throws IOException {
    while (true) {
      int b0, b1;
      try {
        b0 = in.read();
        if (b0 < 0) return closed(-1);
        b1 = in.readUnsignedByte();
      } catch (EOFException | java.net.SocketException e) {
        return closed(-1);
      }
      int opcode = b0 & 0x0f;
      long len = b1 & 0x7f;
      if (len == 126) len = in.readUnsignedShort();
      else if (len == 127) len = in.readLong();
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      switch (opcode) {
        case TEXT:
          lastOpcode = TEXT;
          return Json.MAPPER.readTree(payload);
        case BINARY:
          lastOpcode = BINARY;
          try {
            return Cbor.read(akka.util.ByteString.fromArrayUnsafe(payload));
          } catch (Cbor.Malformed e) {
            throw new IOException("the server sent malformed CBOR: " + e.getMessage(), e);
          }
        case CLOSE:
          return closed(len >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005);
        case PING:
          frame(PONG, true, payload);
          break;
        default:
          break;
      }
    }
  }

  private JsonNode closed(int code) {
    closeCode = code;
    return null;
  }

  /** The next text frame whose {@code re} is {@code re} (other frames skipped); null if closed. */
  public JsonNode answer(String re) throws IOException {
    JsonNode f;
    while ((f = next()) != null) if (re.equals(f.path("re").asText(null))) return f;
    return null;
  }

  /** True when nothing arrives within {@code millis}. */
  public boolean silentFor(int millis) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      return next() == null && closeCode == null;
    } catch (SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(before);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
