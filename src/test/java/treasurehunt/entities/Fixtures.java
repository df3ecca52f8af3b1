package treasurehunt.entities;

import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import treasurehunt.game.Area;
import treasurehunt.game.BandSettings;
import treasurehunt.game.HuntDefinition;
import treasurehunt.game.Treasure;

/** Hunts and settings shared by the entity tests. */
final class Fixtures {
  private Fixtures() {}

  /** A local ActorSystem with the in-memory journal of the persistence testkit. */
  static final Config CONFIG =
      ConfigFactory.parseString(
              "akka.actor.provider = local\n"
                  + "treasure-hunt.game.stream-window = 5\n"
                  + "treasure-hunt.game.snapshot-every = 1000\n"
                  + "treasure-hunt.http.ask-timeout = 3s\n"
                  // the testkit checks a command's events with its reply; a fix held back by
                  // write-behind is written later (AckBeforeStoreTest covers it on a real node)
                  + "treasure-hunt.game.write-behind = 0\n")
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(ConfigFactory.load());

  static final GameSettings SETTINGS = GameSettings.from(CONFIG);

  /** Amsterdam, Dam square. */
  static final double LAT = 52.3702;

  static final double LON = 4.8952;

  /** A geo treasure 100 m north of the centre. */
  static final Treasure CLOCK =
      new Treasure("clock", 52.37110, 4.8952, 15, 100, "Under the clock", null, false);

  /** An exclusive geo treasure 200 m east. */
  static final Treasure GOLD =
      new Treasure("gold", 52.3702, 4.89814, 15, 300, "The gold", null, true);

  /** A treasure that needs the answer "noon", 150 m south. */
  static final Treasure RIDDLE =
      new Treasure("riddle", 52.36885, 4.8952, 20, 200, "When?", "noon", false);

  static HuntDefinition definition(String huntId) {
    return definition(huntId, 100, null, null);
  }

  static HuntDefinition definition(String huntId, int maxPlayers, Long startsAt, Long endsAt) {
    return new HuntDefinition(
        huntId,
        "Old Town",
        new Area(LAT, LON, 1500),
        List.of(CLOCK, GOLD, RIDDLE),
        null,
        maxPlayers,
        10,
        false,
        startsAt,
        endsAt,
        BandSettings.DEFAULT);
  }
}
