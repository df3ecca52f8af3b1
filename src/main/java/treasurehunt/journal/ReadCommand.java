package treasurehunt.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A subcommand reading a journal: from a database (read-only session) or an export file ({@code
 * --file}).
 */
abstract class ReadCommand extends JournalSubcommand {
  @Mixin DbOptions db;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      description =
          "Read an export file (journal export) instead of a database; no database is needed.")
  Path file;

  @Mixin LineLimitOption lineLimit;

  @Option(
      names = "--stream-window",
      paramLabel = "N",
      description =
          "The hunts' stream window the node ran with (default: TH_STREAM_WINDOW, else game.conf).")
  Integer streamWindow;

  @Option(
      names = "--idempotency-window",
      paramLabel = "N",
      description = "The players' idempotency window the node ran with (default: game.conf).")
  Integer idempotencyWindow;

  private JournalDb database;

  ReplaySettings replaySettings() {
    return ReplaySettings.from(config(), streamWindow, idempotencyWindow);
  }

  /** Opens the journal; say where it is on stderr (stdout stays for the command's output). */
  JournalReader open(ObjectMapper json) throws Exception {
    JournalReader reader;
    if (file != null) reader = new FileReader(file, json, lineLimit.bytes);
    else {
      database = db.open(config(), false);
      try {
        reader = new DbReader(database);
      } catch (Exception | Error e) {
        database.close();
        database = null;
        throw e;
      }
    }
    return reader;
  }

  /**
   * The engine's codec and the journal read with it, opened together and closed together (the
   * reader first, then the codec's ActorSystem).
   */
  final class Opened implements AutoCloseable {
    private final Codec codec;
    private final JournalReader reader;

    private Opened(Codec codec, JournalReader reader) {
      this.codec = codec;
      this.reader = reader;
    }

    Codec codec() {
      return codec;
    }

    JournalReader reader() {
      return reader;
    }

    @Override
    public void close() throws Exception {
      try {
        ReadCommand.this.close(reader);
      } finally {
        codec.close();
      }
    }
  }

  /** Starts the codec and opens the journal with it (what most subcommands begin with). */
  Opened openDecoding() throws Exception {
    Codec codec = Codec.start(config());
    try {
      return new Opened(codec, open(codec.json()));
    } catch (Exception | Error e) {
      codec.close();
      throw e;
    }
  }

  /** Closes the reader and stops a PostgreSQL this command started. */
  void close(JournalReader reader) throws Exception {
    try {
      if (reader != null) reader.close();
    } finally {
      if (database != null) database.close();
      database = null;
    }
  }

  /** The persistence id an entity name means (see {@link EntityKind#candidates}). */
  static String resolve(JournalReader reader, String name) throws Exception {
    List<String> candidates = EntityKind.candidates(name);
    List<String> found = new ArrayList<>();
    for (String c : candidates) if (reader.exists(c)) found.add(c);
    if (found.isEmpty())
      throw new JournalException(
          "no entity "
              + name
              + " in "
              + reader.describe()
              + (candidates.size() > 1 ? " (looked for " + String.join(", ", candidates) + ")" : "")
              + "; `journal list` shows what is there");
    if (found.size() > 1)
      throw new JournalException(
          name
              + " is ambiguous: "
              + String.join(", ", found)
              + "; say hunt:"
              + name
              + " or player:"
              + name);
    return found.get(0);
  }
}
