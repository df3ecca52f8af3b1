package treasurehunt.journal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

/**
 * The export format: JSON lines, one object per line (docs/journal.md). A header line, then entity
 * by entity its snapshots and its events in sequence order, then an end line with the counts (an
 * export without it was cut short). Every event and snapshot keeps its metadata and its payload
 * exactly as stored (base64), so an import writes back the very same rows; events also carry a
 * readable {@code event}, which the tools ignore when reading. A name ending in {@code .gz} is
 * gzip-compressed. Written by {@link Writer}, read by {@link ExportReader}.
 */
final class ExportFile {
  static final String FORMAT = "treasure-hunt-journal";
  static final int VERSION = 1;

  private ExportFile() {}

  static boolean gzip(Path file) {
    return file.getFileName().toString().endsWith(".gz");
  }

  // ---------------------------------------------------------------- writing

  /** Writes an export; {@link #close} writes the end line. */
  static final class Writer implements AutoCloseable {
    private final JsonGenerator out;
    private final ObjectWriter readable;
    private long events;
    private long snapshots;

    Writer(OutputStream stream, ObjectMapper json, String source) throws IOException {
      this(json.getFactory().createGenerator(stream), json, source);
    }

    Writer(java.io.Writer stream, ObjectMapper json, String source) throws IOException {
      this(json.getFactory().createGenerator(stream), json, source);
    }

    private Writer(JsonGenerator generator, ObjectMapper json, String source) throws IOException {
      this.out = generator;
      out.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      out.setRootValueSeparator(new SerializedString("\n"));
      this.readable = json.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
      out.writeStartObject();
      out.writeStringField("kind", "header");
      out.writeStringField("format", FORMAT);
      out.writeNumberField("version", VERSION);
      out.writeStringField("exportedAt", Instant.now().toString());
      out.writeStringField("source", source);
      out.writeEndObject();
    }

    static OutputStream open(Path file) throws IOException {
      OutputStream s = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
      return gzip(file) ? new GZIPOutputStream(s, 1 << 16) : s;
    }

    /**
     * {@code decoded}: the event as the engine reads it, or null with {@code error} when it cannot
     * be.
     */
    void event(EventRow e, Object decoded, String error) throws IOException {
      events++;
      out.writeStartObject();
      out.writeStringField("kind", "event");
      out.writeStringField("persistenceId", e.persistenceId());
      out.writeNumberField("seq", e.seq());
      out.writeNumberField("ordering", e.ordering());
      out.writeNumberField("timestamp", e.timestamp());
      out.writeStringField("time", Instant.ofEpochMilli(e.timestamp()).toString());
      out.writeStringField("writer", e.writer());
      out.writeBooleanField("deleted", e.deleted());
      out.writeStringField("adapterManifest", e.adapterManifest());
      out.writeNumberField("serId", e.serId());
      out.writeStringField("serManifest", e.serManifest());
      out.writeStringField("type", Names.type(e.serManifest(), decoded));
      out.writeFieldName("payload");
      out.writeBinary(e.payload());
      meta(e.metaSerId(), e.metaSerManifest(), e.metaPayload());
      if (!e.tags().isEmpty()) {
        out.writeArrayFieldStart("tags");
        for (String t : e.tags()) out.writeString(t);
        out.writeEndArray();
      }
      if (error != null) out.writeStringField("decodeError", error);
      // last, so that a reader can stop before it (see Reader)
      out.writeFieldName("event");
      if (decoded != null) readable.writeValue(out, decoded);
      else out.writeNull();
      out.writeEndObject();
    }

    void snapshot(SnapshotRow s) throws IOException {
      snapshots++;
      out.writeStartObject();
      out.writeStringField("kind", "snapshot");
      out.writeStringField("persistenceId", s.persistenceId());
      out.writeNumberField("seq", s.seq());
      out.writeNumberField("created", s.created());
      out.writeNumberField("serId", s.serId());
      out.writeStringField("serManifest", s.serManifest());
      out.writeStringField("type", Names.type(s.serManifest(), null));
      out.writeFieldName("payload");
      out.writeBinary(s.payload());
      meta(s.metaSerId(), s.metaSerManifest(), s.metaPayload());
      out.writeEndObject();
    }

    private void meta(Integer id, String manifest, byte[] payload) throws IOException {
      if (id == null && manifest == null && payload == null) return;
      if (id == null) out.writeNullField("metaSerId");
      else out.writeNumberField("metaSerId", id);
      out.writeStringField("metaSerManifest", manifest);
      out.writeFieldName("metaPayload");
      if (payload == null) out.writeNull();
      else out.writeBinary(payload);
    }

    long events() {
      return events;
    }

    long snapshots() {
      return snapshots;
    }

    @Override
    public void close() throws IOException {
      out.writeStartObject();
      out.writeStringField("kind", "end");
      out.writeNumberField("events", events);
      out.writeNumberField("snapshots", snapshots);
      out.writeEndObject();
      out.writeRaw('\n');
      out.close();
    }
  }
}
