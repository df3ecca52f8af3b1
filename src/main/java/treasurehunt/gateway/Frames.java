package treasurehunt.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.Player;

/**
 * The server's WebSocket frames as JSON text (PROTOCOL.md §2–3, docs/protocol.md). Wire shapes live
 * here only; entity replies are mapped to them, never serialized as they are (except the public
 * view, whose record is the documented wire shape).
 */
public final class Frames {
  private Frames() {}

  /** Every frame type the server sends; the AsyncAPI test checks docs/asyncapi.yaml against it. */
  public static final java.util.List<String> SERVER_TYPES =
      java.util.List.of("welcome", "ack", "error", "event", "snapshot", "positions", "pong");

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
  public static String event(Hunt.StreamEntry e) {
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
    return write(n);
  }

  /** One batch of latest positions. */
  public static String positions(String hunt, long at, Collection<Player.Position> players) {
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
    return write(n);
  }

  public static String write(ObjectNode node) {
    try {
      return Json.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
