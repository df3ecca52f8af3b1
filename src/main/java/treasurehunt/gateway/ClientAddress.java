package treasurehunt.gateway;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whose budget an HTTP request spends: the client address a per-address limit counts
 * (docs/protocol.md §9). By default the TCP peer's address, which no client can forge; behind a
 * proxy that is the proxy. With {@code trustForwardedFor} the last address of {@code
 * X-Forwarded-For}, the one the proxy in front of the node appended (the ones before it are
 * whatever the client sent). An IPv6 address counts by its /64, the block one subscriber usually
 * gets (counting single IPv6 addresses would give one client 2^64 budgets).
 */
final class ClientAddress {
  private ClientAddress() {}

  /** The key of a request from {@code peer} with header {@code forwardedFor} (if any). */
  static String key(
      Optional<InetAddress> peer, Optional<String> forwardedFor, boolean trustForwardedFor) {
    if (trustForwardedFor && forwardedFor.isPresent()) {
      String[] hops = forwardedFor.get().split(",");
      String last = hops[hops.length - 1].strip();
      if (!last.isEmpty()) return fromText(last);
    }
    return peer.map(ClientAddress::of).orElse("unknown");
  }

  static String of(InetAddress a) {
    if (a instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 8; i += 2) s.append(String.format("%02x%02x:", b[i], b[i + 1]));
      return s.append(":/64").toString();
    }
    return a.getHostAddress();
  }

  /**
   * A forwarded address as text: an IPv4 literal (a port after it dropped) is keyed as written, an
   * IPv6 literal (bracketed or not) by its /64; anything else as written, at most 64 characters. No
   * name is ever looked up.
   */
  private static String fromText(String text) {
    String t = text;
    if (t.startsWith("[") && t.contains("]")) t = t.substring(1, t.indexOf(']'));
    else if (IPV4_WITH_PORT.matcher(t).matches()) t = t.substring(0, t.indexOf(':'));
    if (t.contains(":") && IPV6_CHARS.matcher(t).matches()) {
      try {
        return of(InetAddress.getByName(t)); // with a ':' Java parses a literal or refuses it
      } catch (Exception e) {
        // not a literal after all: keyed as written
      }
    }
    return t.length() > 64 ? t.substring(0, 64) : t;
  }

  private static final Pattern IPV4_WITH_PORT = Pattern.compile("[0-9.]+:[0-9]+");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
}
