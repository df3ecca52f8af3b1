package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A hunt's topics stop once unused and unheld, and start again on the next use; positions reach
 * only the feeds that listen.
 */
class HuntTopicsTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          "HuntTopicsTest",
          ConfigFactory.parseString(
                  "akka.actor.provider = local\n" + "treasure-hunt.ws.hunt-idle-timeout = 400ms\n")
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void unusedTopicsStopAndComeBackOnTheNextUse() {
    HuntTopics topics = HuntTopics.get(testKit.system());
    ActorRef<Topic.Command<Hunt.StreamEntry>> first = topics.stream("quiet");
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.expectTerminated(first, Duration.ofSeconds(5));
    ActorRef<Topic.Command<Hunt.StreamEntry>> again = topics.stream("quiet");
    assertNotEquals(first, again, "a new topic actor");
    TestProbe<Hunt.StreamEntry> subscriber = testKit.createTestProbe();
    again.tell(Topic.subscribe(subscriber.getRef()));
    subscriber.expectNoMessage(Duration.ofMillis(100));
    Hunt.StreamEntry entry = new Hunt.StreamEntry("quiet", "e1", 1, 1, null);
    topics.stream("quiet").tell(Topic.publish(entry));
    subscriber.expectMessage(entry);
  }

  @Test
  void aHeldTopicStaysUntilReleased() {
    HuntTopics topics = HuntTopics.get(testKit.system());
    HuntTopics.Held held = topics.hold("followed");
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.expectNoMessage(Duration.ofMillis(1_200)); // three idle timeouts
    assertEquals(held.stream(), topics.stream("followed"), "still the same topic");
    held.release();
    probe.expectTerminated(held.stream(), Duration.ofSeconds(5));
  }

  /**
   * Positions reach the feeds that listen, a feed of this node at once and one known only from the
   * receptionist (a feed on another node) once listed; with nobody listening a fix goes nowhere.
   */
  @Test
  void positionsGoToTheListeningFeedsOnly() {
    HuntTopics topics = HuntTopics.get(testKit.system());
    TestProbe<Player.Position> here = testKit.createTestProbe();
    TestProbe<Player.Position> elsewhere = testKit.createTestProbe();
    Player.Position first = new Player.Position("watched", "p1", 52.1, 4.3, 1L);
    topics.publish(first);
    assertEquals(0, topics.listeners("watched").length, "nobody listens yet");

    HuntTopics.Held held = topics.hold("watched");
    held.listen(here.getRef());
    Player.Position second = new Player.Position("watched", "p1", 52.2, 4.3, 2L);
    topics.publish(second); // no wait: a feed on this node is known at once
    here.expectMessage(second);

    testKit
        .system()
        .receptionist()
        .tell(Receptionist.register(HuntTopics.positionsKey("watched"), elsewhere.getRef()));
    Player.Position third = new Player.Position("watched", "p2", 52.3, 4.3, 3L);
    TestProbe<Object> wait = testKit.createTestProbe();
    wait.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertEquals(2, topics.listeners("watched").length);
          return null;
        });
    topics.publish(third);
    here.expectMessage(third);
    elsewhere.expectMessage(third);

    held.unlisten(here.getRef());
    testKit
        .system()
        .receptionist()
        .tell(Receptionist.deregister(HuntTopics.positionsKey("watched"), elsewhere.getRef()));
    wait.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertEquals(0, topics.listeners("watched").length);
          return null;
        });
    topics.publish(new Player.Position("watched", "p1", 52.4, 4.3, 4L));
    here.expectNoMessage(Duration.ofMillis(200));
    elsewhere.expectNoMessage(Duration.ofMillis(50));
    // another hunt's listeners never get this one's positions
    assertEquals(0, topics.listeners("other").length);
    held.release();
  }
}
