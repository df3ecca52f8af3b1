package treasurehunt.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin token and the player-token secret: from configuration when set, otherwise generated
 * once and kept under the data directory (mode 600) so a restarted node accepts the tokens it
 * handed out before.
 */
public record Secrets(String adminToken, byte[] tokenSecret, boolean adminTokenGenerated) {

  public static Secrets resolve(Path dataDir, String adminToken, String tokenSecret)
      throws IOException {
    boolean generated = adminToken.isBlank();
    String admin = generated ? readOrCreate(dataDir.resolve("admin-token")) : adminToken;
    String secret =
        tokenSecret.isBlank() ? readOrCreate(dataDir.resolve("token-secret")) : tokenSecret;
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 32)
      throw new IllegalArgumentException(
          "TH_TOKEN_SECRET must be at least 32 bytes (HMAC-SHA256 key)");
    return new Secrets(admin, bytes, generated);
  }

  private static String readOrCreate(Path file) throws IOException {
    if (Files.exists(file)) return Files.readString(file).trim();
    Files.createDirectories(file.getParent());
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.writeString(file, value + "\n");
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    return value;
  }
}
