package treasurehunt.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees at start: generated secrets private and stable, weak ones refused. */
class SecretsTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void generatedSecretsArePrivateCompleteAndStable(@TempDir Path dir) throws Exception {
    Secrets first = Secrets.resolve(dir, "", "");
    assertTrue(first.adminTokenGenerated());
    for (String name : new String[] {"admin-token", "token-secret"}) {
      Path file = dir.resolve(name);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      assertTrue(Files.readString(file).trim().length() >= 32, name + " is whole");
    }
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary file is left behind");
    }
    Secrets again = Secrets.resolve(dir, "", "");
    assertEquals(first.adminToken(), again.adminToken());
    assertArrayEquals(first.tokenSecret(), again.tokenSecret());
  }

  @Test
  void shortOrEmptySecretsStopTheNode(@TempDir Path dir) throws Exception {
    assertThrows(IllegalArgumentException.class, () -> Secrets.resolve(dir, "admin", SECRET));
    assertThrows(
        IllegalArgumentException.class,
        () -> Secrets.resolve(dir, "a-long-enough-admin-token", "short"));
    Files.writeString(dir.resolve("admin-token"), "\n"); // e.g. written on a full disk
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> Secrets.resolve(dir, "", SECRET));
    assertTrue(empty.getMessage().contains("admin-token"), empty.getMessage());
    Files.writeString(dir.resolve("token-secret"), "tiny");
    assertThrows(
        IllegalArgumentException.class,
        () -> Secrets.resolve(dir, "a-long-enough-admin-token", ""));
  }
}
