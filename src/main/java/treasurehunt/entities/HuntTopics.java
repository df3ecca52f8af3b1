package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.pubsub.Topic;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's cluster-wide publish/subscribe topics, one pair per hunt: the numbered hunt stream
 * (published by the Hunt entity) and the unnumbered positions (published by Player entities).
 * Akka's {@link Topic} sends a published message once to every node that has subscribers, never
 * once per subscriber; each node fans it out locally.
 *
 * <p>A topic actor lives as long as the node (one small actor per hunt seen on this node).
 */
public final class HuntTopics implements Extension {

  private static final ExtensionId<HuntTopics> ID =
      new ExtensionId<>() {
        @Override
        public HuntTopics createExtension(ActorSystem<?> system) {
          return new HuntTopics(system);
        }
      };

  public static HuntTopics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private final ConcurrentHashMap<String, ActorRef<Topic.Command<Hunt.StreamEntry>>> streams =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ActorRef<Topic.Command<Player.Position>>> positions =
      new ConcurrentHashMap<>();

  private HuntTopics(ActorSystem<?> system) {
    this.system = system;
  }

  public ActorRef<Topic.Command<Hunt.StreamEntry>> stream(String huntId) {
    return streams.computeIfAbsent(
        huntId,
        id ->
            system.systemActorOf(
                Topic.create(Hunt.StreamEntry.class, "hunt-stream-" + id),
                "hunt-stream-" + encode(id),
                Props.empty()));
  }

  public ActorRef<Topic.Command<Player.Position>> positions(String huntId) {
    return positions.computeIfAbsent(
        huntId,
        id ->
            system.systemActorOf(
                Topic.create(Player.Position.class, "hunt-positions-" + id),
                "hunt-positions-" + encode(id),
                Props.empty()));
  }

  private static String encode(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }
}
