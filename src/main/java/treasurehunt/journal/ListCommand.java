package treasurehunt.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "Hunts and players with their event counts and times.",
      "",
      "Entities by type (hunts, then players) with their event counts, last sequence number, latest snapshot"
          + " and the times (UTC) of their first and last events."
    })
final class ListCommand extends ReadCommand {
  @Option(
      names = "--type",
      paramLabel = "TYPE",
      description = "Only hunt, player, trail, sharding or other.")
  String type;

  @Option(names = "--all", description = "Also Cluster Sharding's own entries (hidden by default).")
  boolean all;

  @Option(names = "--json", description = "One JSON object per entity and line.")
  boolean json;

  @Override
  int run() throws Exception {
    EntityKind only = type == null ? null : EntityKind.parse(type);
    ObjectMapper mapper = new ObjectMapper();
    JournalReader reader = open(mapper);
    List<EntityInfo> entities;
    try {
      entities = reader.entities();
    } finally {
      close(reader);
    }
    Map<EntityKind, long[]> totals = new EnumMap<>(EntityKind.class); // entities, events
    Map<EntityKind, long[]> hidden = new EnumMap<>(EntityKind.class);
    List<EntityInfo> shown = new ArrayList<>();
    for (EntityInfo e : entities) {
      EntityKind k = e.kind();
      boolean show =
          only != null
              ? k == only
              : all || k == EntityKind.HUNT || k == EntityKind.PLAYER || k == EntityKind.TRAIL;
      long[] t = (show ? totals : hidden).computeIfAbsent(k, x -> new long[2]);
      t[0]++;
      t[1] += e.events();
      if (show) shown.add(e);
    }
    shown.sort(
        Comparator.comparing((EntityInfo e) -> e.kind()).thenComparing(EntityInfo::persistenceId));

    if (json) {
      for (EntityInfo e : shown) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", e.kind().label);
        n.put("persistenceId", e.persistenceId());
        n.put("entityId", EntityKind.entityId(e.persistenceId()));
        n.put("events", e.events());
        n.put("lastSeq", e.lastSeq());
        n.put("snapshotSeq", e.snapshotSeq());
        if (e.events() > 0) {
          n.put("firstEvent", Names.iso(e.firstTimestamp()));
          n.put("lastEvent", Names.iso(e.lastTimestamp()));
        }
        out().print(mapper.writeValueAsString(n) + "\n");
      }
      return OK;
    }

    out().println("Journal: " + reader.describe());
    if (shown.isEmpty())
      out().println("(no " + (only == null ? "hunts or players" : only.label + " entries") + ")");
    else {
      int w = "ENTITY".length();
      for (EntityInfo e : shown) w = Math.max(w, e.persistenceId().length());
      String format = "%-8s  %-" + w + "s  %8s  %8s  %8s  %-23s  %-23s%n";
      out()
          .printf(
              format,
              "TYPE",
              "ENTITY",
              "EVENTS",
              "LAST SEQ",
              "SNAPSHOT",
              "FIRST EVENT (UTC)",
              "LAST EVENT (UTC)");
      for (EntityInfo e : shown)
        out()
            .printf(
                format,
                e.kind().label,
                e.persistenceId(),
                e.events(),
                e.lastSeq(),
                e.snapshotSeq() == 0 ? "-" : String.valueOf(e.snapshotSeq()),
                e.events() == 0 ? "-" : Names.time(e.firstTimestamp()),
                e.events() == 0 ? "-" : Names.time(e.lastTimestamp()));
    }
    out().println();
    List<String> parts = new ArrayList<>();
    totals.forEach((k, t) -> parts.add(count(t[0], k.label) + " (" + count(t[1], "event") + ")"));
    String line = parts.isEmpty() ? "nothing shown" : String.join(", ", parts);
    List<String> rest = new ArrayList<>();
    hidden.forEach(
        (k, t) ->
            rest.add(
                count(t[0], k.label + " entr", "y", "ies") + " (" + count(t[1], "event") + ")"));
    if (!rest.isEmpty() && only == null)
      line += "; not shown: " + String.join(", ", rest) + " (--all)";
    out().println(line);
    return OK;
  }

  static String count(long n, String noun) {
    return count(n, noun, "", "s");
  }

  static String count(long n, String stem, String one, String many) {
    return String.format("%,d %s%s", n, stem, n == 1 ? one : many);
  }
}
