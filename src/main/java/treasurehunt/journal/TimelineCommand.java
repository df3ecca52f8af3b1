package treasurehunt.journal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import treasurehunt.entities.Hunt;
import treasurehunt.entities.HuntState;
import treasurehunt.entities.Player;

@Command(
    name = "timeline",
    mixinStandardHelpOptions = true,
    description = {
      "An entity's events in order, readable or as JSON lines.",
      "",
      "One line per event with what it did (a player's score after each find, the hunt's stream numbers),"
          + " then a summary of the entity's state. Times are UTC."
    })
final class TimelineCommand extends ReadCommand {
  @Parameters(
      paramLabel = "ENTITY",
      description =
          "A persistence id (Hunt|old-town, Player|p-xyz), hunt:ID, player:ID, or a bare id.")
  String entity;

  @Option(
      names = "--json",
      description =
          "One JSON object per event and line (the event as recorded, with its metadata).")
  boolean json;

  @Override
  int run() throws Exception {
    try (Opened journal = openDecoding()) {
      String pid = resolve(journal.reader(), entity);
      Printer printer = new Printer(journal.codec(), pid);
      journal.reader().scan(pid, false, true, printer, n -> {});
      if (!json) printer.summary();
    }
    return OK;
  }

  private final class Printer implements JournalReader.Visitor {
    private final Codec codec;
    private final ObjectMapper mapper;
    private final ObjectWriter compact;
    private final String pid;
    private final Replay replay;
    private boolean broken;
    private long events;

    /** Player: its finds by hunt, "clock +100", for the summary. */
    private final Map<String, List<String>> finds = new LinkedHashMap<>();

    Printer(Codec codec, String pid) {
      this.codec = codec;
      this.mapper = codec.json();
      this.compact = mapper.writer().without(SerializationFeature.INDENT_OUTPUT);
      this.pid = pid;
      this.replay = Replay.replayable(pid) ? new Replay(pid, replaySettings()) : null;
    }

    @Override
    public void begin(String persistenceId, List<SnapshotRow> snapshots) {
      if (!json)
        out().printf("%6s  %-23s  %-14s  %s%n", "SEQ", "TIME (UTC)", "EVENT", "WHAT HAPPENED");
    }

    @Override
    public void event(EventRow row) throws Exception {
      events++;
      Object event = null;
      String error = null;
      try {
        event = codec.decode(row);
      } catch (Exception e) {
        error = e.toString();
      }
      String type = Names.type(row.serManifest(), event);
      long streamBefore =
          replay != null && replay.kind == EntityKind.HUNT ? replay.hunt().seq() : 0;
      String what;
      if (event == null) what = "cannot decode: " + error;
      else if (row.deleted()) what = "(deleted) " + event;
      else if (replay == null || broken || !replay.accepts(event)) what = String.valueOf(event);
      else {
        try {
          replay.apply(event, row.seq(), row.timestamp());
          what =
              replay.kind == EntityKind.HUNT
                  ? Describe.hunt((Hunt.Event) event, replay.hunt(), streamBefore)
                  : Describe.player((Player.Event) event, replay.player());
          if (event instanceof Player.TreasureFound f)
            finds
                .computeIfAbsent(f.hunt(), h -> new ArrayList<>())
                .add(f.treasure() + " +" + f.points());
        } catch (RuntimeException e) {
          broken = true;
          what = "the event handler fails: " + e + "; " + event;
        }
      }
      if (!json) {
        out()
            .printf(
                "%6d  %-23s  %-14s  %s%n",
                row.seq(), Names.time(row.timestamp()), Names.shortType(type), what);
        return;
      }
      StringWriter line = new StringWriter(256);
      try (JsonGenerator g = mapper.getFactory().createGenerator(line)) {
        g.writeStartObject();
        g.writeStringField("persistenceId", row.persistenceId());
        g.writeNumberField("seq", row.seq());
        g.writeNumberField("timestamp", row.timestamp());
        g.writeStringField("time", Names.iso(row.timestamp()));
        g.writeStringField("writer", row.writer());
        if (row.deleted()) g.writeBooleanField("deleted", true);
        g.writeStringField("type", type);
        g.writeFieldName("event");
        if (event == null) g.writeNull();
        else compact.writeValue(g, event);
        if (error != null) g.writeStringField("decodeError", error);
        if (replay != null && !broken && event != null && !row.deleted()) {
          if (replay.kind == EntityKind.PLAYER)
            g.writeNumberField("score", replay.player().score());
          else if (replay.kind == EntityKind.HUNT && replay.hunt().seq() > streamBefore) {
            g.writeObjectFieldStart("stream");
            g.writeNumberField("from", streamBefore + 1);
            g.writeNumberField("to", replay.hunt().seq());
            g.writeEndObject();
          }
        }
        g.writeEndObject();
      }
      out().print(line + "\n");
    }

    @Override
    public void end() {}

    void summary() {
      out().println();
      if (replay == null) {
        out().println(pid + ": " + ListCommand.count(events, "event"));
        return;
      }
      if (replay.kind == EntityKind.TRAIL) {
        out()
            .println(
                pid + ": " + ListCommand.count(events, "move") + " (ordinary fixes, no score)");
        return;
      }
      if (replay.kind == EntityKind.PLAYER) {
        Player.State s = replay.player();
        out()
            .println(
                pid
                    + (s.name() == null ? "" : " \"" + s.name() + "\"")
                    + ": "
                    + ListCommand.count(events, "event")
                    + ", score "
                    + s.score());
        for (Map.Entry<String, Player.Progress> e : new java.util.TreeMap<>(s.hunts()).entrySet()) {
          Player.Progress p = e.getValue();
          List<String> f = finds.getOrDefault(e.getKey(), List.of());
          out()
              .println(
                  "  "
                      + e.getKey()
                      + ": "
                      + p.score()
                      + " points"
                      + (f.isEmpty() ? ", no finds" : " from " + String.join(", ", f))
                      + (p.joined() ? " (playing)" : " (left)")
                      + (p.missed().isEmpty()
                          ? ""
                          : "; claimed by others first: " + String.join(", ", p.missed())));
        }
      } else {
        HuntState s = replay.hunt();
        if (!s.defined()) {
          out().println(pid + ": " + ListCommand.count(events, "event") + ", never defined");
          return;
        }
        out()
            .println(
                pid
                    + " \""
                    + s.definition().name()
                    + "\": "
                    + ListCommand.count(events, "event")
                    + ", "
                    + s.status().wire()
                    + ", "
                    + s.presentCount()
                    + " present, stream at #"
                    + s.seq()
                    + " (epoch "
                    + s.epoch()
                    + ")");
        for (Hunt.LeaderboardEntry e : s.leaderboard(10))
          out()
              .println(
                  String.format(
                      "  %2d. %-20s %-16s %6d points, %d found",
                      e.rank(),
                      e.playerId(),
                      e.name() == null ? "" : e.name(),
                      e.score(),
                      e.found()));
      }
      if (broken)
        out()
            .println("  (replay stopped at an event the handler cannot apply: run journal verify)");
    }
  }
}
