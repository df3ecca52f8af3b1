package treasurehunt.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import treasurehunt.entities.Player;

@Command(
    name = "state",
    mixinStandardHelpOptions = true,
    description = {
      "An entity's state at any point, rebuilt from its events, as JSON.",
      "",
      "The events are folded through the entity's own event handler: the latest state, the state after"
          + " event N (--at-seq), or as it was at a moment (--at-time)."
    })
final class StateCommand extends ReadCommand {
  @Parameters(
      paramLabel = "ENTITY",
      description =
          "A persistence id (Hunt|old-town, Player|p-xyz), hunt:ID, player:ID, or a bare id.")
  String entity;

  static final class At {
    @picocli.CommandLine.Option(
        names = "--at-seq",
        paramLabel = "N",
        description = "After the event with sequence number N.")
    Long seq;

    @picocli.CommandLine.Option(
        names = "--at-time",
        paramLabel = "TIME",
        description =
            "After the last event written at or before TIME: 2026-11-23T14:02:00Z, 2026-11-23T14:02 (UTC), or epoch ms.")
    String time;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  At at;

  static long parseTime(String text) {
    String t = text.trim();
    if (t.matches("\\d{10,}")) return Long.parseLong(t);
    try {
      return Instant.parse(t).toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // try the others
    }
    try {
      return java.time.OffsetDateTime.parse(t).toInstant().toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // try the others
    }
    try {
      return LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException ignored) {
      // try the others
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new JournalException(
          "--at-time "
              + text
              + ": expected 2026-11-23T14:02:00Z, 2026-11-23T14:02 (UTC), 2026-11-23 or epoch milliseconds");
    }
  }

  @Override
  int run() throws Exception {
    Long atSeq = at == null ? null : at.seq;
    Long atTime = at == null || at.time == null ? null : parseTime(at.time);
    try (Opened journal = openDecoding()) {
      Codec codec = journal.codec();
      JournalReader reader = journal.reader();
      long[] last = new long[1];
      String pid = resolve(reader, entity);
      if (!Replay.replayable(pid))
        throw new JournalException(
            pid + " is not a hunt or a player: use journal timeline to see its events");
      Replay replay = new Replay(pid, replaySettings());
      reader.scan(
          pid,
          false,
          false,
          new JournalReader.Visitor() {
            boolean done;

            @Override
            public void begin(String persistenceId, List<SnapshotRow> snapshots) {}

            @Override
            public void event(EventRow row) {
              last[0] = row.seq();
              if (done || row.deleted()) return;
              if (atSeq != null && row.seq() > atSeq
                  || atTime != null && row.timestamp() > atTime) {
                done = true;
                return;
              }
              Object event;
              try {
                event = codec.decode(row);
              } catch (Exception e) {
                throw new JournalException(
                    pid + " seq " + row.seq() + ": cannot decode " + row.serManifest() + ": " + e);
              }
              try {
                replay.apply(event, row.seq(), row.timestamp());
              } catch (RuntimeException e) {
                throw new JournalException(
                    pid + " seq " + row.seq() + ": the event handler fails: " + e);
              }
            }

            @Override
            public void end() {}
          },
          n -> {});
      if (atSeq != null && atSeq > last[0])
        err()
            .println(
                "journal state: "
                    + replay.persistenceId
                    + " ends at seq "
                    + last[0]
                    + "; showing its latest state");
      ObjectMapper mapper = codec.json();
      ObjectNode n = mapper.createObjectNode();
      n.put("persistenceId", replay.persistenceId);
      n.put("seq", replay.seq);
      n.put("lastSeq", last[0]);
      if (replay.applied > 0) {
        n.put("timestamp", replay.timestamp);
        n.put("time", Names.iso(replay.timestamp));
      }
      n.put("eventsApplied", replay.applied);
      if (replay.kind == EntityKind.PLAYER) n.put("score", ((Player.State) replay.state()).score());
      n.set("state", mapper.valueToTree(replay.state()));
      out().println(mapper.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(n));
    }
    return OK;
  }
}
