package treasurehunt.journal;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --max-line-size}, a picocli mixin of the subcommands that read an export file: the longest
 * line the file may have. A longer line is refused once that many bytes are read, before it is held
 * whole, so a file with one gigantic line (a gzip bomb of a few kilobytes can hold one) cannot
 * exhaust memory.
 */
final class LineLimitOption {
  /**
   * A hunt's snapshot is the longest line of a real export: the definition, every member and every
   * find, base64; 64 MiB holds a hunt of tens of thousands of players.
   */
  static final String DEFAULT = "64MiB";

  static final long MAX = 1L << 30;

  @Option(
      names = "--max-line-size",
      paramLabel = "SIZE",
      defaultValue = DEFAULT,
      converter = Size.class,
      description =
          "Longest line of an export file, after gunzip: bytes, or with a unit as 512KiB, 64MiB"
              + " (default ${DEFAULT-VALUE}, at most 1GiB). A longer line is refused, unread.")
  long bytes = parse(DEFAULT);

  static long parse(String size) {
    long n;
    try {
      n = ConfigFactory.parseMap(Map.of("size", size)).getBytes("size");
    } catch (ConfigException e) {
      throw new TypeConversionException(
          "'" + size + "' is not a size (bytes, or with a unit: 512KiB, 64MiB, 1GiB)");
    }
    if (n < 1 || n > MAX)
      throw new TypeConversionException("'" + size + "': between 1 byte and 1GiB");
    return n;
  }

  /** Sizes as the engine's configuration writes them (HOCON: 65536, 512KiB, 64MiB). */
  static final class Size implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return parse(value);
    }
  }
}
