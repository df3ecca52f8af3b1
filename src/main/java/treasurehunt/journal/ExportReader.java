package treasurehunt.journal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an export ({@link ExportFile}) line by line: each line is parsed by its own small streaming
 * parser, which stops at the readable {@code event} once the payload is read (the exporter writes
 * it last), so the readable form costs nothing to skip.
 */
final class ExportReader implements AutoCloseable {

  /** One parsed line: an event, a snapshot, the header or the end line. */
  record Line(
      String kind, EventRow event, SnapshotRow snapshot, long endEvents, long endSnapshots) {}

  private final Path file;
  private final CountingStream counted;
  private final InputStream source;
  private final JsonFactory factory;

  /** The longest line allowed, in bytes (after gunzip, without its newline). */
  private final long maxLine;

  private byte[] buffer;

  /** Unread bytes are buffer[start, end); a line is buffer[lineStart, lineEnd). */
  private int start, end, scanned, lineStart, lineEnd;

  private boolean eof;
  private long lineNumber;
  private JsonParser in;
  private boolean headed, ended, tooLong;

  /**
   * Skip what replay does not need (writer, ordering, adapter manifest, tags; see
   * JournalReader#scan).
   */
  private boolean lean;

  /** The last persistence id and manifest read: a line with the same one reuses the String. */
  private String lastPid = "", lastManifest = "";

  /** Where the current line's JSON starts in the buffer. */
  private int lineFrom;

  /** {@code maxLine}: the longest line allowed (see {@link LineLimitOption}). */
  ExportReader(Path file, ObjectMapper json, long maxLine) throws IOException {
    this.file = file;
    if (!Files.isRegularFile(file)) throw new JournalException("no export file " + file);
    this.factory = json.getFactory();
    this.maxLine = maxLine;
    this.buffer = new byte[(int) Math.min(1 << 20, maxLine + 1)];
    this.counted = new CountingStream(Files.newInputStream(file));
    try {
      this.source = ExportFile.gzip(file) ? new GZIPInputStream(counted, 1 << 16) : counted;
    } catch (ZipException | EOFException e) { // a .gz name on something that is not gzip
      counted.close();
      throw new JournalException(file + " is not gzip data", e);
    }
    Line header;
    try {
      header = next();
    } catch (IOException | JournalException e) {
      boolean damagedGzip =
          e.getCause() instanceof ZipException || e.getCause() instanceof EOFException;
      if (tooLong || damagedGzip) { // say so, rather than "not an export"
        source.close();
        throw e;
      }
      header = null;
    }
    if (header == null || !"header".equals(header.kind())) {
      source.close();
      throw new JournalException(
          file + " is not a journal export (no " + ExportFile.FORMAT + " header line)");
    }
  }

  ExportReader lean(boolean lean) {
    this.lean = lean;
    return this;
  }

  /** The number of the line last read (1: the first line of the file). */
  long lineNumber() {
    return lineNumber;
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
          if (i - start > maxLine) throw tooLong();
          lineStart = start;
          lineEnd = i;
          start = scanned = i + 1;
          lineNumber++;
          return true;
        }
      scanned = end;
      if (end - start > maxLine) throw tooLong();
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
      // the buffer holds at most one line and its newline: maxLine + 1 bytes
      if (end == buffer.length)
        buffer = Arrays.copyOf(buffer, (int) Math.min(2L * buffer.length, maxLine + 1));
      int n;
      try {
        n = source.read(buffer, end, buffer.length - end);
      } catch (IOException e) { // a broken gzip stream, most likely
        throw new JournalException(
            file + " line " + (lineNumber + 1) + ": cannot be read: " + e.getMessage(), e);
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
      if (ended) throw bad("a line after the end line", null);
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

  /** A line longer than the limit; not read further. */
  private JournalException tooLong() {
    tooLong = true;
    return new JournalException(
        file
            + " line "
            + (lineNumber + 1)
            + ": longer than "
            + maxLine
            + " bytes, the longest line allowed (--max-line-size); refused unread");
  }

  private JournalException bad(String what, Exception cause) {
    return new JournalException(file + " line " + lineNumber + ": " + what, cause);
  }

  private String text(String field, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) return null;
    if (t != JsonToken.VALUE_STRING) throw bad(field + ": expected a string", null);
    return in.getText();
  }

  private long integer(String field, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) throw bad(field + ": expected an integer", null);
    return in.getLongValue();
  }

  private int smallInteger(String field, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) throw bad(field + ": expected an integer", null);
    return in.getIntValue();
  }

  private boolean bool(String field, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE)
      throw bad(field + ": expected true or false", null);
    return t == JsonToken.VALUE_TRUE;
  }

  /**
   * The string value, or {@code last} when equal to it (no new String for a run of equal values).
   */
  private String same(String field, JsonToken t, String last) throws IOException {
    if (t != JsonToken.VALUE_STRING) return text(field, t);
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
   * A base64 string value, decoded by the JDK's decoder straight from the line's bytes (base64 has
   * no escapes: the value is everything up to the closing quote).
   */
  private byte[] binary(String field, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) return null;
    if (t != JsonToken.VALUE_STRING) throw bad(field + ": expected a base64 string", null);
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
      throw bad(field + ": bad base64: " + e.getMessage(), e);
    }
  }

  private static byte[] decode(ByteBuffer base64) {
    ByteBuffer out = Base64.getDecoder().decode(base64);
    byte[] bytes = out.array();
    if (out.arrayOffset() == 0 && out.position() == 0 && out.limit() == bytes.length) return bytes;
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
        case "kind" -> kind = text(field, t);
        case "format" -> format = text(field, t);
        case "persistenceId" -> {
          pid = same(field, t, lastPid);
          if (pid != null) lastPid = pid;
        }
        case "seq" -> seq = integer(field, t);
        case "ordering" -> ordering = lean ? 0 : integer(field, t);
        case "timestamp" -> timestamp = integer(field, t);
        case "created" -> created = integer(field, t);
        case "writer" -> writer = lean ? "" : text(field, t);
        case "deleted" -> deleted = bool(field, t);
        case "adapterManifest" -> adapter = lean ? null : text(field, t);
        case "serId" -> serId = smallInteger(field, t);
        case "serManifest" -> {
          serManifest = same(field, t, lastManifest);
          if (serManifest != null) lastManifest = serManifest;
        }
        case "payload" -> payload = binary(field, t);
        case "metaSerId" -> metaId = t == JsonToken.VALUE_NULL ? null : smallInteger(field, t);
        case "metaSerManifest" -> metaManifest = text(field, t);
        case "metaPayload" -> metaPayload = binary(field, t);
        case "events" -> events = integer(field, t);
        case "snapshots" -> snapshots = integer(field, t);
        case "tags" -> {
          if (lean) in.skipChildren();
          else if (t != JsonToken.VALUE_NULL) {
            if (t != JsonToken.START_ARRAY) throw bad("tags: expected an array of strings", null);
            tags = new ArrayList<>();
            while ((t = in.nextToken()) == JsonToken.VALUE_STRING) tags.add(in.getText());
            if (t != JsonToken.END_ARRAY) throw bad("tags: expected an array of strings", null);
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
        if (headed) throw bad("a second header line", null);
        headed = true;
        if (!ExportFile.FORMAT.equals(format))
          throw bad("not a " + ExportFile.FORMAT + " file", null);
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
                pid, seq, created, serId, serManifest, payload, metaId, metaManifest, metaPayload),
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
