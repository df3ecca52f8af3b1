package treasurehunt.journal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * The export format: JSON lines, one object per line (docs/journal.md). A header line, then entity
 * by entity its snapshots and its events in sequence order, then an end line with the counts (an
 * export without it was cut short). Every event and snapshot keeps its metadata and its payload
 * exactly as stored (base64), so an import writes back the very same rows; events also carry a
 * readable {@code event}, which the tools ignore when reading. A name ending in {@code .gz} is
 * gzip-compressed.
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

  // ---------------------------------------------------------------- reading

  /** One parsed line: an event, a snapshot, the header or the end line. */
  record Line(
      String kind, EventRow event, SnapshotRow snapshot, long endEvents, long endSnapshots) {}

  /**
   * Reads an export line by line: each line is parsed by its own small streaming parser, which
   * stops at the readable {@code event} once the payload is read (the exporter writes it last), so
   * the readable form costs nothing to skip.
   */
  static final class Reader implements AutoCloseable {
    private final Path file;
    private final CountingStream counted;
    private final InputStream source;
    private final JsonFactory factory;
    private byte[] buffer = new byte[1 << 20];

    /** Unread bytes are buffer[start, end); a line is buffer[lineStart, lineEnd). */
    private int start, end, scanned, lineStart, lineEnd;

    private boolean eof;
    private long lineNumber;
    private JsonParser in;
    private boolean ended;

    /**
     * Skip what replay does not need (writer, ordering, adapter manifest, tags; see
     * JournalReader#scan).
     */
    private boolean lean;

    /** The last persistence id and manifest read: a line with the same one reuses the String. */
    private String lastPid = "", lastManifest = "";

    /** Where the current line's JSON starts in the buffer. */
    private int lineFrom;

    Reader(Path file, ObjectMapper json) throws IOException {
      this.file = file;
      if (!Files.isRegularFile(file)) throw new JournalException("no export file " + file);
      this.factory = json.getFactory();
      this.counted = new CountingStream(Files.newInputStream(file));
      try {
        this.source = gzip(file) ? new GZIPInputStream(counted, 1 << 16) : counted;
      } catch (ZipException | EOFException e) {
        counted.close();
        throw new JournalException(file + " is not gzip data", e);
      }
      Line header;
      try {
        header = next();
      } catch (IOException | JournalException e) {
        if (e.getCause() instanceof ZipException || e.getCause() instanceof EOFException) {
          source.close();
          throw e; // an export whose gzip data is damaged: say that, not "not an export"
        }
        header = null;
      }
      if (header == null || !"header".equals(header.kind())) {
        source.close();
        throw new JournalException(
            file + " is not a journal export (no " + FORMAT + " header line)");
      }
    }

    Reader lean(boolean lean) {
      this.lean = lean;
      return this;
    }

    /** Bytes of the file read so far. */
    long position() {
      return counted.count;
    }

    /** Finds the next line in the buffer, reading more of the file as needed; false at the end. */
    private boolean nextLine() throws IOException {
      while (true) {
        for (int i = scanned; i < end; i++)
          if (buffer[i] == '\n') {
            lineStart = start;
            lineEnd = i;
            start = scanned = i + 1;
            lineNumber++;
            return true;
          }
        scanned = end;
        if (eof) {
          if (start == end) return false;
          lineStart = start;
          lineEnd = end;
          start = scanned = end;
          lineNumber++;
          return true;
        }
        if (start > 0) {
          System.arraycopy(buffer, start, buffer, 0, end - start);
          end -= start;
          scanned -= start;
          start = 0;
        }
        if (end == buffer.length) buffer = Arrays.copyOf(buffer, buffer.length * 2);
        int n;
        try {
          n = source.read(buffer, end, buffer.length - end);
        } catch (EOFException e) {
          throw new JournalException(
              file + " ends within its gzip data: the export was cut short", e);
        } catch (ZipException e) {
          throw new JournalException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
        if (n < 0) eof = true;
        else end += n;
      }
    }

    /** The next line, or null at the end of the file (after checking the end line was there). */
    Line next() throws IOException {
      while (nextLine()) {
        int from = lineStart;
        while (from < lineEnd && Character.isWhitespace(buffer[from])) from++;
        if (from == lineEnd) continue; // a blank line
        lineFrom = from;
        in = factory.createParser(buffer, from, lineEnd - from);
        try {
          if (in.nextToken() != JsonToken.START_OBJECT) throw bad("expected a JSON object", null);
          return object();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw bad("unreadable JSON: " + e.getOriginalMessage(), e);
        } finally {
          in.close();
        }
      }
      if (!ended)
        throw new JournalException(file + " ends without its end line: the export was cut short");
      return null;
    }

    private JournalException bad(String what, Exception cause) {
      return new JournalException(file + " line " + lineNumber + ": " + what, cause);
    }

    private String text(JsonToken t) throws IOException {
      return t == JsonToken.VALUE_NULL ? null : in.getText();
    }

    /**
     * The string value, or {@code last} when equal to it (no new String for a run of equal values).
     */
    private String same(JsonToken t, String last) throws IOException {
      if (t != JsonToken.VALUE_STRING) return text(t);
      char[] chars = in.getTextCharacters();
      int offset = in.getTextOffset(), length = in.getTextLength();
      if (length == last.length()) {
        boolean equal = true;
        for (int i = 0; i < length && equal; i++) equal = chars[offset + i] == last.charAt(i);
        if (equal) return last;
      }
      return new String(chars, offset, length);
    }

    /**
     * A base64 string value, decoded by the JDK's decoder straight from the line's bytes (base64
     * has no escapes: the value is everything up to the closing quote).
     */
    private byte[] binary(JsonToken t) throws IOException {
      if (t == JsonToken.VALUE_NULL) return null;
      if (t != JsonToken.VALUE_STRING) throw bad("expected a base64 string", null);
      try {
        long at = in.getTokenLocation().getByteOffset();
        int open = lineFrom + (int) at;
        if (at >= 0 && open < lineEnd && buffer[open] == '"') {
          int close = open + 1;
          while (close < lineEnd && buffer[close] != '"') close++;
          if (close < lineEnd) return decode(ByteBuffer.wrap(buffer, open + 1, close - open - 1));
        }
        // not where expected: take the value from the parser
        char[] chars = in.getTextCharacters();
        int offset = in.getTextOffset(), length = in.getTextLength();
        byte[] ascii = new byte[length];
        for (int i = 0; i < length; i++) ascii[i] = (byte) chars[offset + i];
        return decode(ByteBuffer.wrap(ascii));
      } catch (IllegalArgumentException e) {
        throw bad("bad base64: " + e.getMessage(), e);
      }
    }

    private static byte[] decode(ByteBuffer base64) {
      ByteBuffer out = Base64.getDecoder().decode(base64);
      byte[] bytes = out.array();
      if (out.arrayOffset() == 0 && out.position() == 0 && out.limit() == bytes.length)
        return bytes;
      return Arrays.copyOfRange(
          bytes, out.arrayOffset() + out.position(), out.arrayOffset() + out.limit());
    }

    private Line object() throws IOException {
      String kind = null,
          pid = null,
          writer = null,
          adapter = null,
          serManifest = null,
          metaManifest = null;
      String format = null;
      long seq = 0, ordering = 0, timestamp = 0, created = 0, events = 0, snapshots = 0;
      boolean deleted = false;
      int serId = 0;
      Integer metaId = null;
      byte[] payload = null, metaPayload = null;
      List<String> tags = List.of();
      JsonToken t;
      fields:
      while ((t = in.nextToken()) == JsonToken.FIELD_NAME) {
        String field = in.getCurrentName();
        t = in.nextToken();
        switch (field) {
          case "kind" -> kind = text(t);
          case "format" -> format = text(t);
          case "persistenceId" -> {
            pid = same(t, lastPid);
            if (pid != null) lastPid = pid;
          }
          case "seq" -> seq = in.getLongValue();
          case "ordering" -> ordering = lean ? 0 : in.getLongValue();
          case "timestamp" -> timestamp = in.getLongValue();
          case "created" -> created = in.getLongValue();
          case "writer" -> writer = lean ? "" : text(t);
          case "deleted" -> deleted = in.getBooleanValue();
          case "adapterManifest" -> adapter = lean ? null : text(t);
          case "serId" -> serId = in.getIntValue();
          case "serManifest" -> {
            serManifest = same(t, lastManifest);
            if (serManifest != null) lastManifest = serManifest;
          }
          case "payload" -> payload = binary(t);
          case "metaSerId" -> metaId = t == JsonToken.VALUE_NULL ? null : in.getIntValue();
          case "metaSerManifest" -> metaManifest = text(t);
          case "metaPayload" -> metaPayload = binary(t);
          case "events" -> events = in.getLongValue();
          case "snapshots" -> snapshots = in.getLongValue();
          case "tags" -> {
            if (lean) in.skipChildren();
            else {
              tags = new ArrayList<>();
              while (in.nextToken() == JsonToken.VALUE_STRING) tags.add(in.getText());
            }
          }
          case "event" -> {
            // the readable form, written last: everything needed is read by now
            if (payload != null) break fields;
            in.skipChildren();
          }
          default -> in.skipChildren();
        }
      }
      if (kind == null) throw bad("a line without \"kind\"", null);
      switch (kind) {
        case "header" -> {
          if (!FORMAT.equals(format)) throw bad("not a " + FORMAT + " file", null);
          return new Line(kind, null, null, 0, 0);
        }
        case "end" -> {
          ended = true;
          return new Line(kind, null, null, events, snapshots);
        }
        case "event" -> {
          if (pid == null || payload == null || serManifest == null || writer == null)
            throw bad("an event needs persistenceId, writer, serManifest and payload", null);
          return new Line(
              kind,
              new EventRow(
                  pid,
                  seq,
                  ordering,
                  deleted,
                  writer,
                  timestamp,
                  adapter,
                  serId,
                  serManifest,
                  payload,
                  metaId,
                  metaManifest,
                  metaPayload,
                  tags),
              null,
              0,
              0);
        }
        case "snapshot" -> {
          if (pid == null || payload == null || serManifest == null)
            throw bad("a snapshot needs persistenceId, serManifest and payload", null);
          return new Line(
              kind,
              null,
              new SnapshotRow(
                  pid,
                  seq,
                  created,
                  serId,
                  serManifest,
                  payload,
                  metaId,
                  metaManifest,
                  metaPayload),
              0,
              0);
        }
        default -> throw bad("unknown kind " + kind, null);
      }
    }

    @Override
    public void close() throws IOException {
      source.close();
    }
  }

  private static final class CountingStream extends FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) count += n;
      return n;
    }
  }
}
