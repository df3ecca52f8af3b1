package treasurehunt.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may watch but not play (docs/privacy.md): a spectator of one hunt, or the organiser ({@code
 * hunt} null: every hunt; {@code expiresAt} 0: no expiry). A {@link Session} speaks either for a
 * player or for a watcher.
 */
record Watcher(String role, String id, String name, String hunt, long expiresAt) {
  static final Watcher ORGANISER = new Watcher("organiser", null, "organiser", null, 0);

  static Watcher of(Tokens.Spectator s) {
    return new Watcher("spectator", s.spectatorId(), s.label(), s.hunt(), s.expiresAt());
  }

  /**
   * The spectator or organiser a token names, or null: a spectator token, or the admin token
   * (compared in constant time).
   */
  static Watcher of(String token, Tokens tokens, String adminToken) {
    Tokens.Spectator s = tokens.verifySpectator(token).orElse(null);
    if (s != null) return of(s);
    if (adminToken == null || adminToken.isEmpty()) return null;
    byte[] admin = adminToken.getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(admin, token.getBytes(StandardCharsets.UTF_8)) ? ORGANISER : null;
  }

  boolean sees(String hunt) {
    return this.hunt == null || this.hunt.equals(hunt);
  }

  /**
   * Why this watcher may not send {@code c}, or null: the organiser and spectators watch and resume
   * (and set viewports), spectators only their hunt.
   */
  String refusal(ClientFrame.Command c) {
    if (!(c instanceof ClientFrame.Watch
        || c instanceof ClientFrame.Resume
        || c instanceof ClientFrame.View))
      return "a " + role + " watches and resumes; " + c.type() + " is for players";
    if (!sees(c.hunt())) return "this spectator token is for hunt " + hunt + " only";
    return null;
  }
}
