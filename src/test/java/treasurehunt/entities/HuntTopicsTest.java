package treasurehunt.entities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A hunt's topics stop once unused and unheld, and start again on the next use. */
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
    probe.expectTerminated(held.positions(), Duration.ofSeconds(5));
  }
}
