package treasurehunt.gateway;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The per-player connection count and the client address key, without a socket. */
class PlayerConnectionsTest {

  @Test
  void aPlayerHoldsAtMostMaxAndAClosedOneFreesItsPlace() {
    PlayerConnections c = new PlayerConnections(2);
    assertTrue(c.open("ann"));
    assertTrue(c.open("ann"));
    assertFalse(c.open("ann"));
    assertEquals(2, c.of("ann"), "a refusal counts nothing");
    assertTrue(c.open("bob"), "another player is not affected");
    c.close("ann");
    assertTrue(c.open("ann"));
  }

  @Test
  void onlyPlayersWithAnOpenConnectionAreHeld() {
    PlayerConnections c = new PlayerConnections(5);
    c.open("ann");
    c.close("ann");
    c.close("ann"); // a second close of nothing stays at nothing
    assertEquals(0, c.of("ann"));
    assertTrue(c.open("ann"));
    assertEquals(1, c.of("ann"));
  }

  @Test
  void zeroIsNoLimit() {
    PlayerConnections c = new PlayerConnections(0);
    for (int i = 0; i < 1000; i++) assertTrue(c.open("ann"));
  }

  @Test
  void theClientAddressIsThePeerUnlessForwardedForIsTrusted() throws Exception {
    Optional<InetAddress> peer = Optional.of(InetAddress.getByName("192.0.2.7"));
    Optional<String> xff = Optional.of("203.0.113.9, 198.51.100.1");
    assertEquals("192.0.2.7", ClientAddress.key(peer, xff, false));
    assertEquals("192.0.2.7", ClientAddress.key(peer, Optional.empty(), true));
    // trusted: the last hop, the one the proxy appended; what the client wrote before it is not
    assertEquals("198.51.100.1", ClientAddress.key(peer, xff, true));
    assertEquals("198.51.100.1", ClientAddress.key(peer, Optional.of("198.51.100.1:4711"), true));
    assertEquals("unknown", ClientAddress.key(Optional.empty(), Optional.empty(), false));
  }

  @Test
  void anIpv6AddressCountsByItsSlash64() throws Exception {
    String a = ClientAddress.of(InetAddress.getByName("2001:db8:1:2:aaaa::1"));
    String b = ClientAddress.of(InetAddress.getByName("2001:db8:1:2:ffff::9"));
    String other = ClientAddress.of(InetAddress.getByName("2001:db8:1:3::1"));
    assertEquals(a, b);
    assertNotEquals(a, other);
    assertEquals(a, ClientAddress.key(Optional.empty(), Optional.of("[2001:db8:1:2::5]"), true));
    // not an address: keyed as written, never looked up
    assertEquals(
        "unknown-host.example",
        ClientAddress.key(Optional.empty(), Optional.of("unknown-host.example"), true));
  }
}
