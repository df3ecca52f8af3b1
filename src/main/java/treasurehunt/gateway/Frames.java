package treasurehunt.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;
import treasurehunt.entities.Problem;

/**
 * The server's WebSocket frames (PROTOCOL.md §2–3, docs/protocol.md) as Jackson trees, which the
 * connection's {@link Encoding} renders as JSON text or CBOR. Wire shapes live here only; entity
 * replies are mapped to them, never serialized as they are (except the public view, whose record is
 * the documented wire shape).
 */
public final class Frames {
  private Frames() {}

  /** Every frame type the server sends; the AsyncAPI test checks docs/asyncapi.yaml against it. */
  public static final List<String> SERVER_TYPES =
      List.of(
          "welcome", "ack", "error", "event", "snapshot", "positions", "pong", "moves", "presence");

  public static ObjectNode object(String type) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("type", type);
    return n;
  }

  public static ObjectNode ack(String re) {
    ObjectNode n = object("ack");
    n.put("re", re);
    return n;
  }

  public static ObjectNode error(String re, String code, String message, Long retryAfterMs) {
    ObjectNode n = object("error");
    if (re == null) n.putNull("re");
    else n.put("re", re);
    n.put("code", code);
    n.put("message", message);
    if (retryAfterMs != null) n.put("retryAfterMs", retryAfterMs);
    return n;
  }

  /**
   * An entity's refusal, with the entity's retry hint ({@code rate_limited}); {@code unavailable}
   * carries one of a second.
   */
  public static ObjectNode problem(String re, Problem p) {
    Long retry =
        p.retryAfterMs() != null
            ? p.retryAfterMs()
            : Problem.UNAVAILABLE.equals(p.code()) ? Long.valueOf(1000L) : null;
    return error(re, p.code(), p.message(), retry);
  }

  public static ObjectNode welcome(String playerId, String name, long serverTime, int protocol) {
    ObjectNode w = object("welcome");
    w.put("playerId", playerId);
    w.put("name", name);
    w.put("serverTime", serverTime);
    w.put("protocol", protocol);
    return w;
  }

  /**
   * The welcome of a connection that watches without playing: {@code role} "spectator" (with its
   * id, hunt and expiry) or "organiser" (every hunt, no id, no expiry).
   */
  public static ObjectNode welcomeWatcher(
      String role,
      String spectatorId,
      String name,
      String hunt,
      long expiresAt,
      long serverTime,
      int protocol) {
    ObjectNode w = object("welcome");
    w.put("role", role);
    if (spectatorId != null) w.put("spectatorId", spectatorId);
    w.put("name", name);
    if (hunt != null) w.put("hunt", hunt);
    if (expiresAt > 0) w.put("expiresAt", expiresAt);
    w.put("serverTime", serverTime);
    w.put("protocol", protocol);
    return w;
  }

  public static ObjectNode pong(long serverTime) {
    ObjectNode pong = object("pong");
    pong.put("serverTime", serverTime);
    return pong;
  }

  // ---- answers to commands (PROTOCOL.md §2)

  public static ObjectNode joined(String re, Player.JoinAck a) {
    ObjectNode ack = ack(re);
    ack.set("hunt", Json.MAPPER.valueToTree(a.view()));
    ack.set("you", you(a.you()));
    ack.set("stream", stream(a.stream()));
    ack.put("nextPollMs", a.nextPollMs());
    return ack;
  }

  public static ObjectNode located(String re, Player.LocationAck a) {
    ObjectNode ack = ack(re);
    ack.put("nextPollMs", a.nextPollMs());
    if (a.nearest() == null) ack.putNull("nearest");
    else ack.put("nearest", a.nearest());
    ArrayNode found = ack.putArray("found");
    a.found().forEach(found::add);
    if (a.atTreasure() == null) ack.putNull("atTreasure");
    else ack.put("atTreasure", a.atTreasure());
    if (!a.alreadyClaimed().isEmpty()) {
      // extension: exclusive treasures reached here that another player found first
      ArrayNode claimed = ack.putArray("alreadyClaimed");
      a.alreadyClaimed().forEach(claimed::add);
    }
    return ack;
  }

  public static ObjectNode claimed(String re, Player.ClaimAck a) {
    ObjectNode ack = ack(re);
    ack.put("points", a.points());
    ack.put("score", a.score());
    return ack;
  }

  /** The answer to {@code watch}: the hunt and the position its stream goes on from. */
  public static ObjectNode watching(String re, Hunt.View view, Hunt.StreamPos from) {
    ObjectNode ack = ack(re);
    ack.set("hunt", Json.MAPPER.valueToTree(view));
    ack.set("stream", stream(from));
    return ack;
  }

  /** The answer to {@code resume} when the missed events follow: the position they start after. */
  public static ObjectNode resumed(String re, Hunt.StreamPos from) {
    ObjectNode ack = ack(re);
    ack.set("stream", stream(from));
    return ack;
  }

  /**
   * The current state instead of events that can no longer be served; {@code re}: the resume it
   * answers, or null; {@code you}: null when the player has no progress in the hunt.
   */
  public static ObjectNode snapshot(String re, Hunt.View view, Player.Progress you) {
    ObjectNode snapshot = object("snapshot");
    if (re != null) snapshot.put("re", re);
    snapshot.put("reset", true);
    snapshot.set("hunt", Json.MAPPER.valueToTree(view));
    if (you != null) snapshot.set("you", you(you));
    snapshot.set("stream", stream(view.stream()));
    return snapshot;
  }

  public static ObjectNode stream(Hunt.StreamPos pos) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("epoch", pos.epoch());
    n.put("seq", pos.seq());
    return n;
  }

  public static ObjectNode you(Player.Progress p) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("score", p == null ? 0 : p.score());
    ArrayNode found = n.putArray("found");
    if (p != null) p.found().forEach(found::add);
    return n;
  }

  /** An event of the numbered hunt stream. */
  public static ObjectNode event(Hunt.StreamEntry e) {
    ObjectNode n = object("event");
    n.put("hunt", e.hunt());
    n.put("epoch", e.epoch());
    n.put("seq", e.seq());
    n.put("at", e.at());
    ObjectNode ev = n.putObject("event");
    Hunt.PublicEvent p = e.event();
    ev.put("kind", p.kind());
    if (p.playerId() != null) ev.put("playerId", p.playerId());
    if (p.name() != null) ev.put("name", p.name());
    if (p.treasure() != null) ev.put("treasure", p.treasure());
    if (p.points() != null) ev.put("points", p.points());
    if (p.text() != null) ev.put("text", p.text());
    if (p.leaderboard() != null) ev.set("leaderboard", Json.MAPPER.valueToTree(p.leaderboard()));
    return n;
  }

  /** One batch of latest positions. */
  public static ObjectNode positions(String hunt, long at, Collection<Player.Position> players) {
    ObjectNode n = object("positions");
    n.put("hunt", hunt);
    n.put("at", at);
    ArrayNode list = n.putArray("players");
    for (Player.Position p : players) {
      ObjectNode o = list.addObject();
      o.put("playerId", p.playerId());
      o.put("lat", p.lat());
      o.put("lon", p.lon());
    }
    return n;
  }

  /** The frame as JSON text (what a connection without a subprotocol gets). */
  public static String write(ObjectNode node) {
    try {
      return Json.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
