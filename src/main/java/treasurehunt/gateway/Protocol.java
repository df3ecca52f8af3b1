package treasurehunt.gateway;

/**
 * The protocol version a connection speaks, negotiated by its hello (docs/protocol.md, "Version
 * 1.1"): a hello without {@code protocol} (or with {@code 1} or {@code "1"}) and a token in the URL
 * speak version 1, exactly as before 1.1 existed; {@code "protocol": "1.1"} is welcomed with {@code
 * "protocol": "1.1"}. Anything else is refused ({@code unsupported_protocol}) and the connection
 * speaks nothing until a hello it can serve.
 *
 * <p>Fixed by the connection's first welcome: a later hello asking for another version is refused,
 * because what a connection already follows was rendered for the first one. Other features ask
 * {@link #atLeast} rather than comparing names.
 */
public enum Protocol {
  V1("1"),
  V1_1("1.1");

  private final String wire;

  Protocol(String wire) {
    this.wire = wire;
  }

  /** The version as the client asks for it and the welcome names it. */
  public String wire() {
    return wire;
  }

  public boolean atLeast(Protocol other) {
    return compareTo(other) >= 0;
  }

  /** The versions a hello may ask for, for the refusal's message. */
  public static final String SUPPORTED = "1 (the default) and \"1.1\"";

  /**
   * The version a hello's {@code protocol} field asks for, given as its JSON text ({@code null}:
   * absent or JSON null); null when this server does not speak it. Only the string {@code "1.1"}
   * names 1.1 (the number 1.1 is a float, not a version name).
   */
  public static Protocol asked(String json) {
    if (json == null || json.equals("1") || json.equals("\"1\"")) return V1;
    if (json.equals("\"1.1\"")) return V1_1;
    return null;
  }
}
