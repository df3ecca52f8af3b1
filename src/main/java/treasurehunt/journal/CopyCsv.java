package treasurehunt.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.copy.CopyIn;

/**
 * Rows for PostgreSQL's COPY ... (FORMAT csv), buffered: strings always quoted (so "" stays empty
 * and a bare field is NULL).
 */
final class CopyCsv {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private final CopyIn copy;
  private final StringBuilder row = new StringBuilder(1024);
  private byte[] buffer = new byte[1 << 16];
  private int used;
  private boolean first = true;

  CopyCsv(CopyIn copy) {
    this.copy = copy;
  }

  private CopyCsv sep() {
    if (!first) row.append(',');
    first = false;
    return this;
  }

  CopyCsv text(String s) {
    sep();
    if (s != null) row.append('"').append(s.replace("\"", "\"\"")).append('"');
    return this;
  }

  CopyCsv number(Number n) {
    sep();
    if (n != null) row.append(n.longValue());
    return this;
  }

  CopyCsv number(long n) {
    sep();
    row.append(n);
    return this;
  }

  CopyCsv bool(boolean b) {
    sep();
    row.append(b ? 't' : 'f');
    return this;
  }

  CopyCsv bytes(byte[] b) {
    sep();
    if (b == null) return this;
    row.append("\"\\x");
    for (byte x : b) row.append(HEX[(x >> 4) & 15]).append(HEX[x & 15]);
    row.append('"');
    return this;
  }

  CopyCsv array(List<String> items) {
    if (items == null || items.isEmpty()) return sep();
    StringBuilder a = new StringBuilder("{");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) a.append(',');
      a.append('"').append(items.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return text(a.append('}').toString());
  }

  void endRow() throws SQLException {
    row.append('\n');
    byte[] b = row.toString().getBytes(StandardCharsets.UTF_8);
    row.setLength(0);
    first = true;
    if (used + b.length > buffer.length) flush();
    if (b.length > buffer.length) copy.writeToCopy(b, 0, b.length);
    else {
      System.arraycopy(b, 0, buffer, used, b.length);
      used += b.length;
    }
  }

  private void flush() throws SQLException {
    if (used > 0) copy.writeToCopy(buffer, 0, used);
    used = 0;
  }

  void close() throws SQLException, IOException {
    flush();
    copy.endCopy();
  }

  /** Ends a COPY left open by a failure (nothing happens after a successful close). */
  void cancel() throws SQLException {
    if (copy.isActive()) copy.cancelCopy();
  }
}
