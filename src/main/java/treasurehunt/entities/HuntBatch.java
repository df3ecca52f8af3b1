package treasurehunt.entities;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import treasurehunt.entities.Hunt.Ack;
import treasurehunt.entities.Hunt.Batched;
import treasurehunt.entities.Hunt.Chat;
import treasurehunt.entities.Hunt.ChatPosted;
import treasurehunt.entities.Hunt.Claim;
import treasurehunt.entities.Hunt.Event;
import treasurehunt.entities.Hunt.Join;
import treasurehunt.entities.Hunt.JoinReply;
import treasurehunt.entities.Hunt.PlayerJoined;
import treasurehunt.entities.Hunt.RecordFinds;
import treasurehunt.entities.Hunt.Replying;
import treasurehunt.entities.Hunt.Status;
import treasurehunt.game.Text;
import treasurehunt.game.Treasure;

/**
 * Group commit, the decision: which of the joins, chat messages, finds and claims that queued up
 * while a hunt was writing are accepted, the events they add (stored together in one journal write)
 * and the reply each gets. A pure function of the state, the pending commands and the time: no
 * actor, no clock, no I/O. The hunt keeps the queue ({@link HuntQueue}); {@link HuntBehavior} sends
 * the rejections at once, persists the events and answers the accepted commands with the state
 * after the write.
 *
 * <p>Every command is validated against the state and against the commands before it in the same
 * write: capacity counts the joins before it, a repeated join adds nothing, a chat is accepted from
 * a player whose join comes earlier in the write, a chat id seen before (in the state or earlier in
 * the write) is answered but not posted again. Finds and claims ({@link HuntFinds}) count the finds
 * earlier in the write: the first finder of an exclusive treasure in a write wins it, the others of
 * the same write are told it was claimed, and a player scores a treasure once however many of its
 * commands the write holds.
 *
 * <p>The per-player limits ({@link Quotas}: joins and chat messages a minute) are asked last, and
 * only for a command that would otherwise add an event: a refused, repeated or retried command
 * costs the player nothing, and a write decides exactly what the same commands one by one would.
 * Names and chat texts are stored as {@link Text} cleans them.
 */
final class HuntBatch {
  private HuntBatch() {}

  /** Longest chat message, in code points after cleaning ({@link Text#MAX_CHAT}). */
  static final int MAX_CHAT = Text.MAX_CHAT;

  /**
   * The per-player limits of the hunt (kept by {@link HuntQuotas}, in memory): each call counts one
   * join or chat message of {@code playerId} at {@code at} and answers 0, or refuses it and answers
   * the milliseconds to wait; {@link #answer} checks a claim's answer through the wrong-answer
   * back-off.
   */
  interface Quotas {
    long join(String playerId, long at);

    long chat(String playerId, long at);

    /** Null when {@code answer} is right and may be tried now, else why the claim is refused. */
    Problem answer(String playerId, Treasure treasure, String answer, long at);

    /** No limits: an answer is only compared. */
    Quotas NONE =
        new Quotas() {
          public long join(String playerId, long at) {
            return 0;
          }

          public long chat(String playerId, long at) {
            return 0;
          }

          public Problem answer(String playerId, Treasure treasure, String answer, long at) {
            return treasure.answerMatches(answer)
                ? null
                : Problem.of(Problem.WRONG_ANSWER, "that is not the answer");
          }
        };
  }

  /**
   * The reply to one command: {@code problem} set, a rejection sent at once (the command adds
   * nothing to the write); otherwise the command is answered once the write is stored, from the
   * state after it.
   */
  record Reply<R>(Replying<R> command, Problem problem, Function<HuntState, R> accepted) {
    static <R> Reply<R> rejected(Replying<R> command, Problem problem) {
      return new Reply<>(command, problem, null);
    }

    static <R> Reply<R> accepted(Replying<R> command, Function<HuntState, R> reply) {
      return new Reply<>(command, null, reply);
    }

    boolean isRejection() {
      return problem != null;
    }

    /** The message for the caller; {@code after}: the state once the write is stored. */
    R message(HuntState after) {
      return problem != null ? command.rejected(problem) : accepted.apply(after);
    }

    void send(HuntState after) {
      command.replyTo().tell(message(after));
    }
  }

  /**
   * {@code taken}: how many of the pending commands (the oldest) this write decides, at most the
   * batch maximum; the rest wait for the next write. {@code replies}: one per command taken, in
   * their order.
   */
  record Result(int taken, List<Event> events, List<Reply<?>> replies) {
    List<Reply<?>> rejections() {
      return replies.stream().filter(Reply::isRejection).toList();
    }

    List<Reply<?>> acceptances() {
      return replies.stream().filter(r -> !r.isRejection()).toList();
    }
  }

  /** What the commands before the current one in the write change once their events apply. */
  private static final class Pending {
    final Set<String> joining = new HashSet<>();
    final Set<String> chats = new HashSet<>();
    final HuntFinds.Pending finds = new HuntFinds.Pending();
    int present;

    boolean present(HuntState state, String playerId) {
      return state.isPresent(playerId) || joining.contains(playerId);
    }
  }

  /**
   * Decides the oldest {@code max} (at least one) of the {@code pending} commands of hunt {@code
   * huntId} in {@code state}, with {@code at} as the time of their events.
   */
  static Result decide(
      String huntId, HuntState state, List<? extends Batched> pending, int max, long at) {
    return decide(huntId, state, pending, max, at, Quotas.NONE);
  }

  /** As above, with the hunt's per-player {@code quotas}. */
  static Result decide(
      String huntId,
      HuntState state,
      List<? extends Batched> pending,
      int max,
      long at,
      Quotas quotas) {
    int taken = Math.min(pending.size(), Math.max(1, max));
    Pending p = new Pending();
    p.present = state.presentCount();
    List<Event> events = new ArrayList<>();
    List<Reply<?>> replies = new ArrayList<>(taken);
    for (Batched c : pending.subList(0, taken)) {
      if (c instanceof Join j) replies.add(join(huntId, state, p, j, at, events, quotas));
      else if (c instanceof Chat ch) replies.add(chat(huntId, state, p, ch, at, events, quotas));
      else if (c instanceof RecordFinds f) replies.add(finds(huntId, state, p, f, at, events));
      else if (c instanceof Claim cl) replies.add(claim(huntId, state, p, cl, at, events, quotas));
    }
    return new Result(taken, List.copyOf(events), List.copyOf(replies));
  }

  /**
   * A join: not after the hunt ended, within maxPlayers counting the joins before it in the write,
   * within the player's joins a minute.
   */
  private static Reply<JoinReply> join(
      String huntId,
      HuntState state,
      Pending p,
      Join c,
      long at,
      List<Event> events,
      Quotas quotas) {
    if (state.status() == Status.ENDED) return Reply.rejected(c, ended(huntId));
    if (!p.present(state, c.playerId())) {
      if (p.present >= state.definition().maxPlayers())
        return Reply.rejected(
            c, Problem.of(Problem.HUNT_FULL, "hunt " + huntId + " has its maximum of players"));
      long wait = quotas.join(c.playerId(), at);
      if (wait > 0)
        return Reply.rejected(
            c, Problem.rateLimited("too many joins of hunt " + huntId + " in a minute", wait));
      String name = Text.fitName(c.name(), c.playerId());
      events.add(new PlayerJoined(huntId, c.playerId(), name, at));
      p.joining.add(c.playerId());
      p.present++;
    }
    return Reply.accepted(c, after -> joinReply(after, c.playerId()));
  }

  /**
   * A chat message: from a player present (or joining earlier in the write), its text cleaned
   * ({@link Text#chat}); a retried id adds nothing; a new one counts against the player's chat
   * messages a minute.
   */
  private static Reply<Ack> chat(
      String huntId,
      HuntState state,
      Pending p,
      Chat c,
      long at,
      List<Event> events,
      Quotas quotas) {
    if (state.status() == Status.ENDED) return Reply.rejected(c, ended(huntId));
    if (!p.present(state, c.playerId()))
      return Reply.rejected(
          c, Problem.of(Problem.NOT_JOINED, "player has not joined hunt " + huntId));
    String text = Text.chat(c.text());
    if (text == null)
      return Reply.rejected(
          c, Problem.of(Problem.BAD_REQUEST, "text: 1 to " + MAX_CHAT + " characters"));
    String key = HuntState.chatKey(c.playerId(), c.cmdId());
    if (!state.chatPosted(c.playerId(), c.cmdId()) && !p.chats.contains(key)) {
      long wait = quotas.chat(c.playerId(), at);
      if (wait > 0)
        return Reply.rejected(
            c, Problem.rateLimited("too many chat messages in hunt " + huntId, wait));
      p.chats.add(key);
      events.add(new ChatPosted(huntId, c.playerId(), c.cmdId(), text, at));
    }
    return Reply.accepted(c, after -> new Ack(null));
  }

  /** Finds: a live hunt, a player in it ({@link HuntFinds#decide}). */
  private static Reply<Hunt.FindsReply> finds(
      String huntId, HuntState state, Pending p, RecordFinds c, long at, List<Event> events) {
    Problem no = liveMember(huntId, state, p, c.playerId());
    if (no != null) return Reply.rejected(c, no);
    HuntFinds.Result r = HuntFinds.decide(huntId, state, p.finds, c, at);
    events.addAll(r.events());
    return Reply.accepted(c, after -> r.reply());
  }

  /** A claim: a live hunt, a player in it ({@link HuntFinds#claim}). */
  private static Reply<Hunt.ClaimReply> claim(
      String huntId,
      HuntState state,
      Pending p,
      Claim c,
      long at,
      List<Event> events,
      Quotas quotas) {
    Problem no = liveMember(huntId, state, p, c.playerId());
    if (no != null) return Reply.rejected(c, no);
    return HuntFinds.claim(huntId, state, p.finds, c, at, events, quotas);
  }

  /** Why a find or claim of {@code playerId} cannot count now, or null. */
  private static Problem liveMember(String huntId, HuntState state, Pending p, String playerId) {
    if (state.status() != Status.LIVE)
      return Problem.of(Problem.HUNT_NOT_LIVE, "hunt " + huntId + " is " + state.status().wire());
    if (!p.present(state, playerId))
      return Problem.of(Problem.NOT_JOINED, "player has not joined hunt " + huntId);
    return null;
  }

  /** The answer to a join or a chat message once the hunt has ended. */
  static Problem ended(String huntId) {
    return Problem.of(Problem.HUNT_NOT_LIVE, "hunt " + huntId + " has ended");
  }

  static JoinReply joinReply(HuntState s, String playerId) {
    return new JoinReply(s.view(), s.stream(), s.findsBy(playerId), s.definition(), null);
  }
}
