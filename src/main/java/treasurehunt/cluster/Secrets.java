package treasurehunt.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin token and the player-token secret: from configuration when set, otherwise generated
 * once and kept under the data directory so a restarted node accepts the tokens it handed out
 * before.
 *
 * <p>A generated file is written whole to a temporary file that is created with mode 600 (never
 * readable by others, not even for a moment), then moved into place atomically: a crash leaves
 * either no file or a complete one. A secret that is too short, in configuration or in a file (e.g.
 * an empty file left by a full disk), stops the node at start instead of guarding the API with a
 * guessable token.
 */
public record Secrets(String adminToken, byte[] tokenSecret, boolean adminTokenGenerated) {

  /** Shortest admin token accepted (characters). */
  public static final int MIN_ADMIN_TOKEN = 16;

  /** Shortest player-token secret accepted (bytes): the HMAC-SHA256 key size. */
  public static final int MIN_TOKEN_SECRET = 32;

  public static Secrets resolve(Path dataDir, String adminToken, String tokenSecret)
      throws IOException {
    boolean generated = adminToken.isBlank();
    Path adminFile = dataDir.resolve("admin-token");
    Path secretFile = dataDir.resolve("token-secret");
    String admin = generated ? readOrCreate(adminFile) : adminToken.trim();
    String secret = tokenSecret.isBlank() ? readOrCreate(secretFile) : tokenSecret;
    if (admin.length() < MIN_ADMIN_TOKEN)
      throw new IllegalArgumentException(
          (generated ? adminFile + " holds" : "TH_ADMIN_TOKEN is")
              + " an admin token of "
              + admin.length()
              + " characters; at least "
              + MIN_ADMIN_TOKEN
              + " are needed (unset TH_ADMIN_TOKEN and delete the file to have one generated)");
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_TOKEN_SECRET)
      throw new IllegalArgumentException(
          (tokenSecret.isBlank() ? secretFile + " holds" : "TH_TOKEN_SECRET is")
              + " a token secret of "
              + bytes.length
              + " bytes; at least "
              + MIN_TOKEN_SECRET
              + " are needed (HMAC-SHA256 key)");
    return new Secrets(admin, bytes, generated);
  }

  private static String readOrCreate(Path file) throws IOException {
    if (Files.exists(file)) return Files.readString(file).trim();
    Files.createDirectories(file.getParent());
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Path tmp = createPrivate(file.resolveSibling(file.getFileName() + ".tmp"));
    try {
      Files.writeString(tmp, value + "\n");
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return value;
  }

  /** An empty file readable and writable by its owner only, from the moment it exists. */
  private static Path createPrivate(Path path) throws IOException {
    Files.deleteIfExists(path); // a leftover of a crash between create and move
    try {
      return Files.createFile(
          path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      return Files.createFile(path);
    } catch (FileAlreadyExistsException raced) {
      throw new IOException("another process is creating " + path + " at the same time", raced);
    }
  }
}
