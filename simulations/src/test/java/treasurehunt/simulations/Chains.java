package treasurehunt.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.http.action.ws.WsInboundMessage;
import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.WsFrameCheck;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The protocol as Gatling chains: register (or invite a spectator), connect and hello, join or
 * watch, walk and report, claim, chat, drop and resume, and the final stream-integrity check.
 *
 * <p>Every text frame a bot receives goes through {@link Bot#onFrame} exactly once: frames that
 * arrive while the bot waits for an answer pass through the await's matching condition (which
 * returns the frame's {@code re}), the others wait in Gatling's unmatched-message buffer and are
 * drained before every send (a send clears that buffer). That is how a bot sees every stream event,
 * and so every gap or duplicate.
 *
 * <p>With {@code -Dencoding=cbor} the bots connect with the subprotocol treasure-hunt.v1.cbor, send
 * every frame as CBOR in a binary frame and read binary frames ({@link Wire}); each check is then
 * the same test on the frame's tree ({@link Expect}). The JSON path is what it always was.
 */
public final class Chains {
  private Chains() {}

  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

  /** The session attribute under which Gatling keeps a bot's (default-named) WebSocket. */
  static final String WS_SLOT = "gatling.http.webSocket";

  private static final ConcurrentHashMap<String, AtomicInteger> GROUP_INDEX =
      new ConcurrentHashMap<>();

  public static HttpProtocolBuilder protocol() {
    return http.baseUrls(Settings.BASE_URLS)
        .wsBaseUrls(Settings.wsUrls())
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        // registrations share a small pool instead of one idle keep-alive connection per bot
        .shareConnections()
        .wsUnmatchedInboundMessageBufferSize(1_000_000);
  }

  // ---------------------------------------------------------------- frame plumbing

  static Bot bot(Session s) {
    return Bot.of(s);
  }

  /** Drains the frames that arrived while nothing was awaited. */
  static ActionBuilder drain() {
    return ws.processUnmatchedMessages(
        (List<WsInboundMessage> messages, Session s) -> {
          Bot b = bot(s);
          for (WsInboundMessage m : messages)
            if (m instanceof WsInboundMessage.Text t) b.onFrame(t.message());
            else if (m instanceof WsInboundMessage.Binary bin) b.onFrame(bin.message());
          return s;
        });
  }

  /**
   * An await on the answer to the frame just sent; every frame seen meanwhile is handed to the bot.
   */
  static WsFrameCheck.Text answer(String name) {
    return ws.checkTextMessage(name)
        .matching(
            bodyString()
                .transformWithSession((body, s) -> bot(s).onFrame(body))
                .is(s -> bot(s).awaiting));
  }

  /**
   * What an answer must be: {@code text}, the check of a JSON run (as it always was), and {@code
   * tree}, the same test on the frame's tree in a CBOR run.
   */
  record Expect(CheckBuilder.Final text, BiPredicate<JsonNode, Session> tree) {}

  /** The answer's type is one of {@code types}. */
  static Expect typeIn(String... types) {
    return new Expect(
        types.length == 1 ? jsonPath("$.type").is(types[0]) : jsonPath("$.type").in(types),
        (n, s) -> List.of(types).contains(Wire.type(n)));
  }

  /** A test of the bot's state when the answer arrives (the frame itself does not matter). */
  static Expect botHolds(Predicate<Bot> test) {
    return new Expect(
        bodyString().transformWithSession((b, s) -> test.test(bot(s))).is(true),
        (n, s) -> test.test(bot(s)));
  }

  static Expect isAck() {
    return typeIn("ack");
  }

  /** An await on the answer to a binary frame (a CBOR run): {@link #answer} on the frame's tree. */
  static WsFrameCheck.Binary answerBinary(String name, Expect expect) {
    return ws.checkBinaryMessage(name)
        .matching(
            bodyBytes()
                .transformWithSession((body, s) -> bot(s).onFrame(body))
                .is(s -> bot(s).awaiting))
        .check(
            bodyBytes()
                .transformWithSession((body, s) -> expect.tree().test(Wire.tree(body), s))
                .is(true));
  }

  /**
   * Sends a frame (JSON text, or its CBOR in a CBOR run) and awaits its answer ({@code answer}
   * names the check).
   */
  static ActionBuilder sendAndAwait(
      String name, Function<Session, String> frame, String answer, Expect expect) {
    if (!Wire.CBOR)
      return ws(name).sendText(frame).await(ANSWER_TIMEOUT).on(answer(answer).check(expect.text()));
    return ws(name)
        .sendBytes(s -> Wire.cbor(frame.apply(s)))
        .await(ANSWER_TIMEOUT)
        .on(answerBinary(answer, expect));
  }

  /** Sends the frame built for a fresh command id and waits for its answer. */
  static ChainBuilder command(String type, BiFunction<Bot, String, String> frame, Expect check) {
    return exec(drain())
        .exec(
            sendAndAwait(
                "send " + type, s -> frame.apply(bot(s), bot(s).newId(type)), type, check));
  }

  // ---------------------------------------------------------------- steps

  /**
   * Creates the bot (its group names it in the summary) and registers a player for it over HTTP.
   */
  public static ChainBuilder register(
      String group, Function<Integer, HuntPlan> huntOfIndex, boolean walks) {
    return exec(s -> {
          Bot b = Bot.create(s.userId(), group);
          int index =
              GROUP_INDEX.computeIfAbsent(group, g -> new AtomicInteger()).getAndIncrement();
          b.hunt = huntOfIndex.apply(index);
          if (walks) b.walk = new Walk(b.hunt, Settings.SEED * 7919 + index, Settings.SEEK_P);
          return s;
        })
        .exec(
            http("register")
                .post("/api/players")
                .body(StringBody(s -> "{\"name\":\"" + group + "-" + s.userId() + "\"}"))
                .check(
                    status().is(201),
                    jsonPath("$.token").saveAs("token"),
                    jsonPath("$.playerId").saveAs("playerId")))
        .exec(giveUpIfFailed("register"))
        .exec(
            s -> {
              Bot b = bot(s);
              b.token = s.getString("token");
              b.playerId = s.getString("playerId");
              return s;
            });
  }

  /**
   * Creates a spectator bot and has the organiser invite it: a spectator token for its hunt from
   * {@code POST /api/hunts/{id}/spectators} with the admin token. Only the organiser and the
   * spectators it invites get a hunt's positions; a player watching it does not (docs/privacy.md).
   */
  public static ChainBuilder invite(String group, Function<Integer, HuntPlan> huntOfIndex) {
    return exec(s -> {
          Bot b = Bot.create(s.userId(), group);
          int index =
              GROUP_INDEX.computeIfAbsent(group, g -> new AtomicInteger()).getAndIncrement();
          b.hunt = huntOfIndex.apply(index);
          return s;
        })
        .exec(
            http("invite")
                .post(s -> "/api/hunts/" + bot(s).hunt.id + "/spectators")
                .header("Authorization", "Bearer " + Settings.ADMIN_TOKEN)
                .body(StringBody(s -> "{\"label\":\"" + group + "-" + s.userId() + "\"}"))
                .check(
                    status().is(201),
                    jsonPath("$.token").saveAs("token"),
                    jsonPath("$.spectatorId").saveAs("spectatorId")))
        .exec(giveUpIfFailed("invite"))
        .exec(
            s -> {
              Bot b = bot(s);
              b.token = s.getString("token");
              b.playerId = s.getString("spectatorId"); // never used to play
              return s;
            });
  }

  /**
   * Opens the WebSocket (a failed connect tried again with backoff, {@link
   * Settings#CONNECT_ATTEMPTS}) and says hello with the bot's token (a player's or a spectator's).
   */
  public static ChainBuilder connect(String name) {
    ChainBuilder open =
        exec(
            Wire.CBOR
                ? ws(name).connect("/ws").subprotocol(Wire.SUBPROTOCOL)
                : ws(name).connect("/ws"));
    if (Settings.CONNECT_ATTEMPTS > 1)
      open =
          exec(s -> {
                bot(s).connectTries = 0;
                return s;
              })
              .tryMax(Settings.CONNECT_ATTEMPTS)
              .on(
                  doIf(s -> bot(s).connectTries > 0)
                      .then(
                          exec(s -> {
                                Stats.count("retries.connect");
                                // a failed connect leaves its socket's slot taken ("already
                                // exists"): free it so that the next attempt opens a new one
                                return s.remove(WS_SLOT).markAsSucceeded();
                              })
                              .pause(s -> backoff(bot(s))))
                      .exec(
                          s -> {
                            bot(s).connectTries++;
                            return s;
                          })
                      .exec(open));
    return open.exec(giveUpIfFailed(name))
        .exec(
            sendAndAwait(
                "send hello",
                s -> {
                  bot(s).awaiting = "welcome";
                  return Settings.hello(bot(s).token);
                },
                "welcome",
                typeIn("welcome")))
        .exec(giveUpIfFailed("hello"));
  }

  /** 1, 2, 4, 8 … s (at most 16 s) after the connect attempts so far, ±25 % jitter. */
  static Duration backoff(Bot b) {
    long ms = 1000L << Math.min(4, Math.max(0, b.connectTries - 1));
    return Duration.ofMillis((long) (ms * (0.75 + 0.5 * b.rnd.nextDouble())));
  }

  /**
   * Joins the bot's hunt; a join answered {@code overloaded} is sent again after its {@code
   * retryAfterMs} ({@link Settings#JOIN_ATTEMPTS}).
   */
  public static ChainBuilder join() {
    return admitted(
            "join",
            (b, id) -> "{\"type\":\"join\",\"id\":\"" + id + "\",\"hunt\":\"" + b.hunt.id + "\"}")
        .exec(
            s -> {
              bot(s).walkStart = System.currentTimeMillis();
              return s;
            });
  }

  /**
   * A spectator watches the bot's hunt; a watch answered {@code overloaded} (the hunt too busy to
   * read its view) is sent again after its {@code retryAfterMs}, as a join is.
   */
  public static ChainBuilder watch() {
    return admitted(
        "watch",
        (b, id) -> "{\"type\":\"watch\",\"id\":\"" + id + "\",\"hunt\":\"" + b.hunt.id + "\"}");
  }

  /**
   * {@code type} (join or watch) until acknowledged: answered {@code overloaded} or {@code
   * unavailable}, sent again after its {@code retryAfterMs} plus jitter, at most {@link
   * Settings#JOIN_ATTEMPTS} times in all (docs/protocol.md §10); then given up as failed.
   */
  static ChainBuilder admitted(String type, BiFunction<Bot, String, String> frame) {
    ChainBuilder once =
        command(type, frame, Settings.JOIN_ATTEMPTS > 1 ? typeIn("ack", "error") : isAck());
    ChainBuilder admitting =
        Settings.JOIN_ATTEMPTS == 1
            ? once
            : exec(s -> {
                  Bot b = bot(s);
                  b.joinTries = 0;
                  b.retryAfterMs = 0;
                  b.admitted = false;
                  return s;
                })
                .asLongAs(
                    s ->
                        !bot(s).admitted
                            && !s.isFailed()
                            && bot(s).joinTries < Settings.JOIN_ATTEMPTS
                            && (bot(s).joinTries == 0 || bot(s).retryAfterMs > 0))
                .on(
                    doIf(s -> bot(s).joinTries > 0)
                        .then(
                            exec(s -> {
                                  Stats.count("retries." + type);
                                  return s;
                                })
                                .pause(
                                    s ->
                                        Duration.ofMillis(
                                            (long)
                                                (bot(s).retryAfterMs
                                                    * (1 + 0.5 * bot(s).rnd.nextDouble())))))
                        .exec(
                            s -> {
                              bot(s).joinTries++;
                              bot(s).retryAfterMs = 0;
                              return s;
                            })
                        .exec(once))
                // refused for good (not overloaded), or overloaded every time
                .exec(s -> bot(s).admitted ? s : s.markAsFailed());
    return admitting.exec(giveUpIfFailed(type));
  }

  /**
   * Protocol 1.1: a viewport of {@link Settings#VIEW_KM} km², a square around a random point within
   * the hunt's radius; the hunt's positions then come as {@code moves} for that box only.
   */
  public static ChainBuilder view() {
    return command("view", Chains::viewFrame, isAck()).exec(giveUpIfFailed("view"));
  }

  static String viewFrame(Bot b, String id) {
    double half = Math.sqrt(Settings.VIEW_KM) * 1000 / 2;
    double a = b.rnd.nextDouble() * 2 * Math.PI;
    double r = Math.sqrt(b.rnd.nextDouble()) * b.hunt.radiusM;
    double x = Math.cos(a) * r, y = Math.sin(a) * r;
    return String.format(
        java.util.Locale.ROOT,
        "{\"type\":\"view\",\"id\":\"%s\",\"hunt\":\"%s\",\"box\":{\"south\":%.6f,\"west\":%.6f,"
            + "\"north\":%.6f,\"east\":%.6f}}",
        id,
        b.hunt.id,
        b.hunt.lat(y - half),
        b.hunt.lon(x - half),
        b.hunt.lat(y + half),
        b.hunt.lon(x + half));
  }

  static ChainBuilder location() {
    return command("location", Bot::locationFrame, isAck());
  }

  /** A claim at a treasure that needs an answer; someone else may have been first (exclusive). */
  static ChainBuilder claim() {
    return doIf(s -> bot(s).atTreasure != null && !bot(s).found.contains(bot(s).atTreasure))
        .then(
            command(
                "claim",
                Bot::claimFrame,
                new Expect(
                    bodyString()
                        .transform(b -> b.contains("\"type\":\"ack\"") || b.contains("\"already_"))
                        .is(true),
                    (n, s) ->
                        "ack".equals(Wire.type(n))
                            || n.path("code").asText("").startsWith("already_"))));
  }

  static ChainBuilder chat() {
    return doIf(s -> bot(s).rnd.nextDouble() < Settings.CHAT_P)
        .then(
            command(
                "chat",
                (b, id) ->
                    "{\"type\":\"chat\",\"id\":\""
                        + id
                        + "\",\"hunt\":\""
                        + b.hunt.id
                        + "\",\"text\":\"hello from "
                        + b.playerId
                        + "\"}",
                isAck()));
  }

  /**
   * Walks and reports until {@code until} says stop: waits the fixed interval or the server's
   * {@code nextPollMs} (never past {@code deadline}), reports, claims when at a treasure, sometimes
   * chats.
   */
  public static ChainBuilder walk(
      boolean adaptive, Predicate<Bot> keepGoing, Function<Bot, Long> deadline) {
    return asLongAs(s -> keepGoing.test(bot(s)))
        .on(
            pause(
                    s ->
                        Duration.ofMillis(
                            Math.min(
                                bot(s).delayMs(adaptive),
                                Math.max(0, deadline.apply(bot(s)) - System.currentTimeMillis()))))
                .doIf(s -> keepGoing.test(bot(s)))
                .then(location().exec(giveUpIfSilent()).exec(claim()).exec(chat())));
  }

  /**
   * A bot whose last three location frames went unanswered (its socket is gone, or the node no
   * longer answers within the timeout) stops playing and is counted as lost; its integrity check
   * then fails the run.
   */
  static ChainBuilder giveUpIfSilent() {
    return exec(s -> {
          bot(s).checkAnswered();
          return s.markAsSucceeded();
        })
        .exitHereIf(s -> bot(s).lost);
  }

  /**
   * After a step that must work (register, connect, join): a bot that failed it stops and is
   * counted.
   */
  public static ChainBuilder giveUpIfFailed(String step) {
    return doIf(s -> s.isFailed())
        .then(
            exec(s -> {
                  Stats.count("bots.lostAt." + step);
                  return s;
                })
                .exitHere());
  }

  /**
   * Spectators: keep reading (frames are drained every second) and ping every 20 s so the node
   * keeps them.
   */
  public static ChainBuilder spectate(Predicate<Bot> keepGoing) {
    return asLongAs(s -> keepGoing.test(bot(s)))
        .on(
            pause(Duration.ofSeconds(1))
                .exec(drain())
                .doIf(s -> System.currentTimeMillis() - bot(s).lastReportAt > 20_000)
                .then(
                    exec(s -> {
                          bot(s).lastReportAt = System.currentTimeMillis();
                          return s;
                        })
                        .exec(ping("keepalive"))));
  }

  static ChainBuilder ping(String name) {
    return exec(drain())
        .exec(
            sendAndAwait(
                "send " + name,
                s -> {
                  bot(s).awaiting = "pong";
                  return "{\"type\":\"ping\"}";
                },
                name,
                typeIn("pong")));
  }

  /**
   * Drops the connection the way a phone in a tunnel does, then reconnects, says hello and resumes
   * the hunt stream from the last (epoch, seq) it holds. The group's time is what the client
   * waited.
   */
  public static ChainBuilder dropAndResume() {
    return exec(drain())
        .exec(drop())
        .group("storm reconnect")
        .on(
            connect("reconnect")
                .exec(command("resume", Bot::resumeFrame, typeIn("ack", "snapshot"))))
        .exec(
            s -> {
              Bot b = bot(s);
              if (b.resumedAt >= b.droppedAt)
                Stats.record("resume_ms." + b.group, b.resumedAt - b.droppedAt);
              return s;
            });
  }

  /** Closes the bot's socket (with a close handshake) and notes when. */
  static ChainBuilder drop() {
    return exec(ws("drop").close())
        .exec(
            s -> {
              bot(s).droppedAt = System.currentTimeMillis();
              return s;
            });
  }

  /** Reads of the head, 200 ms apart, before a bot behind it counts as behind. */
  static final int HEAD_TRIES = 25;

  /**
   * The tail of the stream, which the gap count cannot see: once nothing is written any more
   * ({@code quietFrom}), the last event the bot holds must be its hunt's head as the organiser API
   * shows it. The bot reads the head, flushes its socket with a ping and compares, for up to {@link
   * #HEAD_TRIES} rounds (an event may still be on its way); then a ping whose check fails when the
   * bot is still behind.
   */
  public static ChainBuilder atHead(Function<Bot, Long> quietFrom) {
    return pause(
            s ->
                Duration.ofMillis(
                    Math.max(0, quietFrom.apply(bot(s)) - System.currentTimeMillis())))
        .exec(
            s -> {
              bot(s).headTries = 0;
              return s;
            })
        .asLongAs(s -> bot(s).behindHead() > 0 && bot(s).headTries++ < HEAD_TRIES)
        .on(
            exec(drain())
                .exec(
                    http("hunt head")
                        .get(s -> "/api/hunts/" + bot(s).hunt.id)
                        .check(
                            status().is(200),
                            jsonPath("$.stream.epoch").saveAs("headEpoch"),
                            jsonPath("$.stream.seq").ofLong().saveAs("headSeq")))
                .exec(
                    s -> {
                      if (s.contains("headSeq"))
                        bot(s).head(s.getString("headEpoch"), s.getLong("headSeq"));
                      return s;
                    })
                .exec(ping("head flush"))
                .doIf(s -> bot(s).behindHead() > 0)
                .then(pause(Duration.ofMillis(200))))
        .exec(drain())
        .exec(
            sendAndAwait(
                "send head ping",
                s -> {
                  bot(s).awaiting = "pong";
                  return "{\"type\":\"ping\"}";
                },
                "stream head",
                botHolds(b -> b.behindHead() <= 0)))
        .exec(
            s -> {
              Bot b = bot(s);
              long behind = b.behindHead();
              b.behindAtEnd = behind;
              Stats.count(behind <= 0 ? "head.atHead" : "head.behind");
              if (behind > 0)
                System.out.println(
                    "behind the head: "
                        + b.group
                        + "-"
                        + b.userId
                        + " holds "
                        + b.lastHeld()
                        + ", head "
                        + b.headRead());
              return s;
            });
  }

  /** The last step of every bot: a ping whose check fails when the bot saw a gap or a duplicate. */
  public static ChainBuilder integrityAndClose() {
    return exec(drain())
        .exec(
            sendAndAwait(
                "send integrity ping",
                s -> {
                  bot(s).awaiting = "pong";
                  return "{\"type\":\"ping\"}";
                },
                "stream integrity",
                botHolds(Bot::streamIntact)))
        .exec(
            s -> {
              Bot b = bot(s);
              if (b.walk != null) b.sampleMapError(b.elapsed());
              Stats.count(b.streamIntact() ? "bots.intact" : "bots.withGapOrDuplicate");
              return s;
            })
        .exec(ws("close").close());
  }
}
