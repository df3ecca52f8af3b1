package treasurehunt.gateway;

import akka.actor.typed.javadsl.TimerScheduler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import treasurehunt.metrics.Metrics;

/**
 * Who a {@link Session} speaks for (docs/protocol.md §2, docs/privacy.md): the token in the URL or
 * the hello frame, resolved to a player ({@link Tokens.Identity}) or a {@link Watcher} (spectator
 * or organiser); the player's count in the node's {@link PlayerConnections}; the welcome frame; the
 * hello timeout and a spectator token's expiry. A connection keeps the principal of its first valid
 * token.
 *
 * <p>Not an actor: the session owns one and calls it on its own thread; its timers are the
 * session's, and its frames and closes go out through the session.
 */
final class Authentication {

  /** No valid hello within hello-timeout. */
  record HelloTimeout() implements Session.Msg {}

  /** The spectator token this connection was opened with has expired. */
  record Expired() implements Session.Msg {}

  /** How the session closes its connection. */
  interface Close {
    void close(int code, String reason);
  }

  private final Session.Context node;
  private final Metrics metrics;
  private final TimerScheduler<Session.Msg> timers;
  private final Consumer<ObjectNode> send;
  private final Close close;

  /** The player this connection speaks for, once authenticated as one. */
  private Tokens.Identity identity;

  /** Or the spectator or organiser it speaks for. */
  private Watcher watcher;

  /** The player this connection is counted for in the node's {@link PlayerConnections}. */
  private String counted;

  /** The version this connection speaks: its first welcome's (docs/protocol.md, Version 1.1). */
  private Protocol protocol = Protocol.V1;

  Authentication(
      Session.Context node,
      Metrics metrics,
      TimerScheduler<Session.Msg> timers,
      Consumer<ObjectNode> send,
      Close close) {
    this.node = node;
    this.metrics = metrics;
    this.timers = timers;
    this.send = send;
    this.close = close;
  }

  /**
   * A new connection: authenticated at once by the token of its URL, or given hello-timeout to send
   * a hello.
   */
  void open(String queryToken) {
    if (queryToken == null) {
      timers.startSingleTimer("hello", new HelloTimeout(), node.settings().helloTimeout());
      return;
    }
    // a player or spectator token; never the admin token, which URLs would put in logs
    Tokens.Identity who = node.tokens().verify(queryToken).orElse(null);
    Watcher w =
        who != null
            ? null
            : node.tokens().verifySpectator(queryToken).map(Watcher::of).orElse(null);
    if (who == null && w == null) {
      send.accept(Frames.error(null, "unauthorized", "the token is not valid", null));
      close.close(4401, "unauthorized");
    } else if (who != null) authenticated(who);
    else {
      becomeWatcher(w);
      welcome();
    }
  }

  boolean authenticated() {
    return identity != null || watcher != null;
  }

  /** The player this connection speaks for, or null. */
  Tokens.Identity identity() {
    return identity;
  }

  /** The id of the player this connection speaks for, or null. */
  String playerId() {
    return identity == null ? null : identity.playerId();
  }

  /** The protocol version this connection speaks (1 until a hello asked for 1.1). */
  Protocol protocol() {
    return protocol;
  }

  /** Why this connection may not send {@code c}, or null: only watchers are refused commands. */
  String refusal(ClientFrame.Command c) {
    return watcher == null ? null : watcher.refusal(c);
  }

  /**
   * PROTOCOL.md §2: anything but a valid hello first is answered unauthorized and closed with 4401.
   */
  void unauthorized(String re) {
    metrics.rejected("unauthorized");
    send.accept(
        Frames.error(re, "unauthorized", "the first frame must be hello with a valid token", null));
    close.close(4401, "unauthorized");
  }

  /**
   * A player token, a spectator token or the admin token (docs/protocol.md §2). A connection keeps
   * the principal of its first: a hello naming another is refused.
   */
  void hello(ClientFrame.Hello hello) {
    Protocol asked = Protocol.asked(hello.protocol());
    if (asked == null || (authenticated() && asked != protocol)) {
      metrics.rejected("unsupported_protocol");
      String re = hello.id();
      send.accept(
          Frames.error(
              re,
              "unsupported_protocol",
              asked == null
                  ? "protocol "
                      + hello.protocol()
                      + " is not supported; this server speaks "
                      + Protocol.SUPPORTED
                  : "this connection speaks protocol "
                      + protocol.wire()
                      + "; the version is fixed by the first welcome",
              null));
      return; // an unauthenticated connection may still send a hello it can serve
    }
    String token = hello.token();
    Tokens.Identity player = token != null ? node.tokens().verify(token).orElse(null) : null;
    Watcher w =
        player != null || token == null
            ? null
            : Watcher.of(token, node.tokens(), node.adminToken());
    if (player == null && w == null) {
      send.accept(Frames.error(null, "unauthorized", "the token is missing or not valid", null));
      if (!authenticated()) close.close(4401, "unauthorized");
      return;
    }
    if (authenticated() && !speaksFor(player, w)) {
      send.accept(
          Frames.error(null, "forbidden", "this connection already speaks for " + who(), null));
      return;
    }
    timers.cancel("hello");
    protocol = asked;
    if (player != null) authenticated(player);
    else {
      becomeWatcher(w);
      welcome();
    }
  }

  /**
   * The connection speaks for {@code who} from now on, unless the player already holds its maximum
   * of connections on this node: then {@code rate_limited} and close 4429 (docs/protocol.md §9).
   * {@code retryAfterMs} is the idle timeout: by then a connection the client lost without closing
   * it has been closed by the server.
   */
  private void authenticated(Tokens.Identity who) {
    if (counted == null) {
      if (!node.connections().open(who.playerId())) {
        metrics.rejected("rate_limited");
        send.accept(
            Frames.error(
                null,
                "rate_limited",
                "this player already holds "
                    + node.connections().max()
                    + " connections to this node; close one first",
                node.settings().idleTimeout().toMillis()));
        close.close(4429, "too many connections for this player");
        return;
      }
      counted = who.playerId();
    }
    identity = who;
    welcome();
  }

  /** Whether {@code player} or {@code w} is who this connection already speaks for. */
  private boolean speaksFor(Tokens.Identity player, Watcher w) {
    if (identity != null) return player != null && identity.playerId().equals(player.playerId());
    return w != null && watcher.role().equals(w.role()) && Objects.equals(watcher.id(), w.id());
  }

  /** Becomes {@code w}'s connection, closed when its invitation expires. */
  private void becomeWatcher(Watcher w) {
    watcher = w;
    if (w.expiresAt() > 0)
      timers.startSingleTimer(
          "expiry",
          new Expired(),
          Duration.ofMillis(Math.max(0, w.expiresAt() - System.currentTimeMillis())));
  }

  private void welcome() {
    long now = System.currentTimeMillis();
    ObjectNode welcome =
        identity != null
            ? Frames.welcome(identity.playerId(), identity.name(), now, Session.PROTOCOL_VERSION)
            : Frames.welcomeWatcher(
                watcher.role(),
                watcher.id(),
                watcher.name(),
                watcher.hunt(),
                watcher.expiresAt(),
                now,
                Session.PROTOCOL_VERSION);
    // 1.1 is named as the client asked for it, a string; version 1 stays the number 1
    if (protocol != Protocol.V1) welcome.put("protocol", protocol.wire());
    send.accept(welcome);
  }

  /** A spectator's invitation ended: the connection closes as if its token were refused. */
  void expired() {
    send.accept(Frames.error(null, "unauthorized", "the spectator token has expired", null));
    close.close(4401, "token expired");
  }

  void helloTimeout() {
    if (!authenticated())
      close.close(4408, "no hello within " + node.settings().helloTimeout().toSeconds() + " s");
  }

  /** Who this connection speaks for, for the log. */
  String who() {
    if (identity != null) return identity.playerId();
    if (watcher != null)
      return watcher.id() == null ? watcher.role() : watcher.role() + " " + watcher.id();
    return "an unauthenticated client";
  }

  /** The connection stopped: the player's connection is counted out. */
  void stop() {
    if (counted != null) node.connections().close(counted);
    counted = null;
  }
}
