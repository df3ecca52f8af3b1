package treasurehunt.gateway;

import akka.util.ByteString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The wire's CBOR (RFC 8949), for connections that chose {@code treasure-hunt.v1.cbor}
 * (docs/protocol.md §2.1): the same frames as the JSON ones, as CBOR maps.
 *
 * <p>Writing walks the same Jackson tree that {@link Frames} builds for JSON, through Jackson's
 * {@link CBORGenerator}, with definite lengths (the generator's own tree serializer would open
 * every map with an indefinite length) and the shortest float that keeps a double's value.
 *
 * <p>Reading accepts only what a JSON frame could say, and says what else it found: one data item,
 * a map whose keys are text strings (each once), text strings in valid UTF-8, integers, finite
 * floats, true, false, null, arrays and maps of these nested at most {@link #MAX_DEPTH} deep, with
 * definite lengths. Byte strings, tags, undefined, other simple values, indefinite lengths and
 * bytes after the item are refused ({@link Malformed}). CBOR has floats and integers where JSON
 * text has one kind of number: JavaScript encoders write a whole number past 32 bits (an {@code at}
 * from {@code Date.now()}) as a float64, so a client frame's float that holds a whole number of at
 * most 2^53 reads as that integer ({@link #readClientFrame}); {@code 1.5} for an integer field is
 * still refused. Jackson's parser would quietly turn an integer key into a string and skip a tag,
 * so this small reader builds the tree itself; every length is checked against the bytes that are
 * left before anything is read, so a hostile length allocates nothing.
 */
final class Cbor {
  private Cbor() {}

  /** Deeper than any frame of the protocol (watch.from is at depth 2) and far from the stack. */
  static final int MAX_DEPTH = 16;

  private static final CBORFactory FACTORY = new CBORFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What is wrong with a frame's CBOR, in words for the {@code error} frame. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  // ---------------------------------------------------------------- writing

  /** The frame as CBOR bytes. */
  static ByteString write(JsonNode frame) {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (CBORGenerator g = FACTORY.createGenerator(out)) {
      write(g, frame);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a tree of the server's own frames always writes
    }
    return ByteString.fromArrayUnsafe(out.toByteArray());
  }

  private static void write(CBORGenerator g, JsonNode n) throws IOException {
    switch (n.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject(n.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          g.writeFieldName(e.getKey());
          write(g, e.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray(n, n.size());
        for (JsonNode item : n) write(g, item);
        g.writeEndArray();
      }
      case STRING -> g.writeString(n.textValue());
      case BOOLEAN -> g.writeBoolean(n.booleanValue());
      case NULL, MISSING -> g.writeNull();
      case NUMBER -> {
        if (n.isIntegralNumber()) {
          if (n.canConvertToLong()) g.writeNumber(n.longValue());
          else g.writeNumber(n.bigIntegerValue());
        } else {
          double d = n.doubleValue();
          if ((double) (float) d == d) g.writeNumber((float) d);
          else g.writeNumber(d);
        }
      }
      default -> throw new IllegalArgumentException("not a frame value: " + n.getNodeType());
    }
  }

  // ---------------------------------------------------------------- reading

  /** Reads one frame's CBOR into the tree a JSON frame would have given. */
  static JsonNode read(ByteString bytes) throws Malformed {
    return read(bytes, false);
  }

  /**
   * As {@link #read}, whole-number floats read as integers: how the server reads a client frame.
   */
  static JsonNode readClientFrame(ByteString bytes) throws Malformed {
    return read(bytes, true);
  }

  private static JsonNode read(ByteString bytes, boolean wholeFloatsAsIntegers) throws Malformed {
    Reader r = new Reader(bytes.toArrayUnsafe(), wholeFloatsAsIntegers);
    if (r.bytes.length == 0) throw new Malformed("an empty binary frame");
    JsonNode value = r.item(0);
    if (r.at != r.bytes.length)
      throw new Malformed((r.bytes.length - r.at) + " bytes after the frame's data item");
    return value;
  }

  private static final class Reader {
    final byte[] bytes;
    final boolean wholeFloatsAsIntegers;
    int at;

    Reader(byte[] bytes, boolean wholeFloatsAsIntegers) {
      this.bytes = bytes;
      this.wholeFloatsAsIntegers = wholeFloatsAsIntegers;
    }

    int left() {
      return bytes.length - at;
    }

    int next() throws Malformed {
      if (at >= bytes.length) throw new Malformed("it ends in the middle of a data item");
      return bytes[at++] & 0xff;
    }

    /** The argument of an initial byte: its value, or its 1, 2, 4 or 8 following bytes. */
    long argument(int info) throws Malformed {
      if (info < 24) return info;
      int n =
          switch (info) {
            case 24 -> 1;
            case 25 -> 2;
            case 26 -> 4;
            case 27 -> 8;
            case 31 -> throw new Malformed("indefinite lengths are not used; give every length");
            default -> throw new Malformed("reserved additional information " + info);
          };
      if (left() < n) throw new Malformed("it ends in the middle of a data item");
      long v = 0;
      for (int i = 0; i < n; i++) v = (v << 8) | (bytes[at++] & 0xff);
      return v;
    }

    /** A length that the bytes left can hold, each element taking at least {@code min} bytes. */
    int length(int info, int min, String what) throws Malformed {
      long n = argument(info);
      if (n < 0 || n > left() / min)
        throw new Malformed(
            "a " + what + " of " + Long.toUnsignedString(n) + " runs past the end of the frame");
      return (int) n;
    }

    JsonNode item(int depth) throws Malformed {
      int initial = next();
      int major = initial >>> 5, info = initial & 0x1f;
      switch (major) {
        case 0:
          return integer(argument(info), false);
        case 1:
          return integer(argument(info), true);
        case 2:
          throw new Malformed("byte strings are not used; text is a text string");
        case 3:
          return NODES.textNode(text(info));
        case 4:
          {
            if (depth >= MAX_DEPTH) throw new Malformed("nested deeper than " + MAX_DEPTH);
            int n = length(info, 1, "array");
            ArrayNode a = NODES.arrayNode(n);
            for (int i = 0; i < n; i++) a.add(item(depth + 1));
            return a;
          }
        case 5:
          {
            if (depth >= MAX_DEPTH) throw new Malformed("nested deeper than " + MAX_DEPTH);
            int n = length(info, 2, "map");
            ObjectNode o = NODES.objectNode();
            for (int i = 0; i < n; i++) {
              int key = next();
              if (key >>> 5 != 3) throw new Malformed("map keys must be text strings");
              String name = text(key & 0x1f);
              if (o.has(name)) throw new Malformed("a map repeats the key " + abbreviate(name));
              o.set(name, item(depth + 1));
            }
            return o;
          }
        case 6:
          throw new Malformed(
              "tags are not used (tag " + Long.toUnsignedString(argument(info)) + ")");
        default:
          return simple(info);
      }
    }

    JsonNode integer(long n, boolean negative) {
      if (n >= 0) {
        long v = negative ? -1 - n : n;
        return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
      }
      BigInteger big = new BigInteger(Long.toUnsignedString(n));
      return NODES.numberNode(negative ? BigInteger.ONE.negate().subtract(big) : big);
    }

    String text(int info) throws Malformed {
      int n = length(info, 1, "text string");
      int start = at;
      at += n;
      boolean ascii = true;
      for (int i = start; i < at && ascii; i++) ascii = bytes[i] >= 0;
      if (ascii) return new String(bytes, start, n, StandardCharsets.ISO_8859_1);
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes, start, n))
            .toString();
      } catch (CharacterCodingException e) {
        throw new Malformed("a text string is not valid UTF-8");
      }
    }

    JsonNode simple(int info) throws Malformed {
      switch (info) {
        case 20:
          return NODES.booleanNode(false);
        case 21:
          return NODES.booleanNode(true);
        case 22:
          return NODES.nullNode();
        case 23:
          throw new Malformed("undefined is not used; send null");
        case 25:
          return number(half((int) argument(info)));
        case 26:
          return number(Float.intBitsToFloat((int) argument(info)));
        case 27:
          return number(Double.longBitsToDouble(argument(info)));
        case 31:
          throw new Malformed("a break outside an indefinite length");
        default:
          throw new Malformed("simple values other than false, true and null are not used");
      }
    }

    /** An IEEE 754 half-precision float (RFC 8949 appendix D). */
    static double half(int h) {
      int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
      double v =
          exp == 0
              ? mant * Math.pow(2, -24)
              : exp != 31
                  ? (mant + 1024) * Math.pow(2, exp - 25)
                  : mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
      return (h & 0x8000) != 0 ? -v : v;
    }

    JsonNode number(double d) throws Malformed {
      if (Double.isNaN(d) || Double.isInfinite(d))
        throw new Malformed("NaN and infinities are not numbers here");
      if (wholeFloatsAsIntegers && d == Math.rint(d) && Math.abs(d) <= 0x1p53)
        return integer((long) Math.abs(d) - (d < 0 ? 1 : 0), d < 0);
      return NODES.numberNode(d);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 32 ? s.substring(0, 32) + "…" : s;
  }
}
