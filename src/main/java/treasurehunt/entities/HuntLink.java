package treasurehunt.entities;

import akka.actor.typed.ActorRef;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.ActorContext;
import java.util.function.BiFunction;
import java.util.function.Function;
import treasurehunt.entities.Player.Command;
import treasurehunt.entities.Player.RulesLoaded;
import treasurehunt.entities.Player.StatusAnswered;

/**
 * A Player entity's link to the Hunt entities: its round trips to them, and what this node knows of
 * each hunt (its rules and status, cached in {@link HuntCatalog}). One per entity instance, used by
 * its actor only; nothing here is persisted.
 *
 * <p>A round trip ({@link #ask}) makes the player {@link #busy}: its later commands wait in the
 * stash until the answer (or the ask's failure) comes back as a command, whose handler calls {@link
 * #answered} (or {@link #rulesLoaded}) and unstashes. A status recheck ({@link #recheckStatus})
 * does not wait: the command goes on with what the node knows.
 */
final class HuntLink {
  private final ActorContext<Command> context;
  private final GameSettings settings;
  private final Function<String, RecipientRef<Hunt.Command>> hunts;
  private final HuntCatalog catalog;

  /** A round trip to a Hunt entity is under way: later commands wait in the stash. */
  private boolean busy;

  /**
   * A hunt whose rules could not be loaded just now: the next command for it is answered
   * unavailable.
   */
  private String failedRules;

  HuntLink(
      ActorContext<Command> context,
      GameSettings settings,
      Function<String, RecipientRef<Hunt.Command>> hunts) {
    this.context = context;
    this.settings = settings;
    this.hunts = hunts;
    this.catalog = HuntCatalog.get(context.getSystem());
  }

  /** Whether a round trip is under way (later commands are stashed). */
  boolean busy() {
    return busy;
  }

  /**
   * Asks a Hunt entity and waits for its answer: until {@code answered}'s message comes back (with
   * the reply, or the ask's failure message when it timed out), later commands are stashed.
   */
  <R> void ask(
      String hunt,
      Class<R> replyType,
      Function<ActorRef<R>, Hunt.Command> request,
      BiFunction<R, String, Command> answered) {
    busy = true;
    context.ask(
        replyType,
        hunts.apply(hunt),
        settings.askTimeout(),
        request::apply,
        (reply, failure) -> answered.apply(reply, failure == null ? null : failure.getMessage()));
  }

  /** The answer to the round trip under way came back: later commands may run. */
  void answered() {
    busy = false;
  }

  // ---- the rules of a hunt (its treasure index) and its status, cached per node

  /**
   * The cached rules of a hunt (and its status, known with them), or null after starting to load
   * them (the command is then stashed).
   */
  HuntCatalog.Rules rulesOrLoad(String hunt) {
    HuntCatalog.Rules rules = catalog.get(hunt);
    if (rules != null && catalog.status(hunt) != null) return rules;
    ask(
        hunt,
        Hunt.RulesReply.class,
        Hunt.GetRules::new,
        (reply, failure) ->
            reply == null
                ? new RulesLoaded(hunt, null, null, failure)
                : new RulesLoaded(
                    hunt,
                    reply.definition(),
                    reply.status(),
                    reply.problem() != null ? reply.problem().message() : null));
    return null;
  }

  /** The answer to {@link #rulesOrLoad}: cached, or remembered as failed for the next command. */
  void rulesLoaded(RulesLoaded r, long now) {
    busy = false;
    if (r.definition() != null) {
      catalog.put(r.definition());
      // A node older than issue 11 does not say: taken as live, as that node's players did.
      catalog.learnt(r.hunt(), r.status() != null ? r.status() : Hunt.Status.LIVE, now);
    } else context.getLog().warn("rules of hunt {} not loaded: {}", r.hunt(), r.failure());
    failedRules = r.definition() == null ? r.hunt() : null;
  }

  /** Whether the rules of {@code hunt} just failed to load (answered once, then forgotten). */
  boolean rulesFailed(String hunt) {
    if (!hunt.equals(failedRules)) return false;
    failedRules = null;
    return true;
  }

  /** The rules and status a join brought back, learnt at {@code at}. */
  void joined(String hunt, Hunt.JoinReply reply, long at) {
    catalog.put(reply.definition());
    Hunt.Status status = Hunt.Status.fromWire(reply.view().status());
    if (status != null) catalog.learnt(hunt, status, at);
  }

  /** Whether {@code hunt} is live, as far as this node knows. */
  boolean live(String hunt) {
    return catalog.status(hunt) == Hunt.Status.LIVE;
  }

  /**
   * Asks the hunt for its status when this node's knowledge of it is due for a recheck ({@link
   * HuntCatalog#recheckDue}); the command goes on meanwhile with what the node knows.
   */
  void recheckStatus(String hunt, long now) {
    if (!catalog.recheckDue(hunt, now, settings.statusRecheck().toMillis())) return;
    context.ask(
        Hunt.StatusReply.class,
        hunts.apply(hunt),
        settings.askTimeout(),
        Hunt.GetStatus::new,
        (reply, failure) -> new StatusAnswered(hunt, reply == null ? null : reply.status()));
  }

  /** The answer to {@link #recheckStatus}, if any, learnt at {@code now}. */
  void statusAnswered(StatusAnswered a, long now) {
    if (a.status() != null) catalog.learnt(a.hunt(), a.status(), now);
  }

  /**
   * The hunt said it is not live after all (it ended since this node last asked): learn it soon.
   */
  void doubt(String hunt) {
    catalog.doubt(hunt);
  }
}
