package dev.asyncjobs;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * Which addresses a request to a URL from outside (a provider's reply, a job owner's callback) may
 * connect to: public unicast ones only. Such a URL on the cloud metadata service, on localhost or
 * on the internal network would let whoever chose it read or write from inside (server-side
 * request forgery). The image downloads of the OpenAI generators and the webhook deliveries check
 * every address they connect to with this; a generator that fetches URLs should too.
 *
 * <p>Check the address that is actually connected to (resolve once, then connect to what was
 * checked), or a name that answers a public address to the check and a private one to the
 * connection (DNS rebinding) gets past it.
 */
public final class NetworkAddresses {
  private NetworkAddresses() {}

  /**
   * Why {@code address} is not a public unicast address, in words for a message ("a loopback
   * address", "a private address", "the cloud metadata address"), or {@code null} when it is one.
   * An IPv6 address that carries an IPv4 one (mapped, compatible, NAT64, 6to4) is judged by that.
   *
   * @param address the address to check
   * @return the reason it is refused, or {@code null}
   */
  public static @Nullable String refusal(InetAddress address) {
    byte[] b = address.getAddress();
    if (address instanceof Inet6Address) {
      byte[] embedded = embeddedIpv4(b);
      if (embedded != null) {
        // ::ffff:10.0.0.1 and friends reach the IPv4 address they carry.
        return refusalV4(embedded);
      }
      return refusalV6(address, b);
    }
    return refusalV4(b);
  }

  private static @Nullable String refusalV4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    int a3 = b[3] & 0xff;
    if (a0 == 169 && a1 == 254 && a2 == 169 && a3 == 254) {
      return "the cloud metadata address";
    }
    if (a0 == 0) {
      return "an unspecified address"; // 0.0.0.0/8 reaches this host on Linux
    }
    if (a0 == 127) {
      return "a loopback address";
    }
    if (a0 == 169 && a1 == 254) {
      return "a link-local address";
    }
    if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
      return "a private address";
    }
    if (a0 == 100 && (a1 & 0xc0) == 64) {
      return "a shared (carrier-grade NAT) address"; // 100.64.0.0/10, also some clouds' metadata
    }
    if (a0 >= 224 && a0 <= 239) {
      return "a multicast address";
    }
    if (a0 >= 240 || (a0 == 192 && a1 == 0 && a2 == 0) || (a0 == 198 && (a1 & 0xfe) == 18)) {
      return "a reserved address"; // 240/4 with broadcast, 192.0.0/24, 198.18/15
    }
    return null;
  }

  private static @Nullable String refusalV6(InetAddress address, byte[] b) {
    if (address.isAnyLocalAddress()) {
      return "an unspecified address";
    }
    if (address.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (address.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (address.isSiteLocalAddress() || (b[0] & 0xfe) == 0xfc) {
      return "a private address"; // fec0::/10 and unique-local fc00::/7 (AWS's fd00:ec2::254 too)
    }
    if (address.isMulticastAddress()) {
      return "a multicast address";
    }
    if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0 && b[5] == 1) {
      return "a local-use NAT64 address"; // 64:ff9b:1::/48 (RFC 8215): carries an IPv4 address where the network chooses
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
      return "a Teredo address"; // 2001::/32: tunnels to an IPv4 address hidden in its bits
    }
    return null;
  }

  /**
   * The IPv4 address inside an IPv6 one that carries it: IPv4-mapped {@code ::ffff:0:0/96},
   * IPv4-compatible {@code ::/96}, NAT64 {@code 64:ff9b::/96} and 6to4 {@code 2002::/16}.
   */
  private static byte @Nullable [] embeddedIpv4(byte[] b) {
    if (b.length != 16) {
      return null;
    }
    boolean zero80 = allZero(b, 0, 10);
    if (zero80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return slice(b, 12);
    }
    if (zero80 && b[10] == 0 && b[11] == 0) {
      boolean ownIpv6 = allZero(b, 12, 15) && (b[15] == 0 || b[15] == 1);
      return ownIpv6 ? null : slice(b, 12); // ::a.b.c.d, but not :: or ::1, which are IPv6's own
    }
    if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12)) {
      return slice(b, 12);
    }
    if (b[0] == 0x20 && b[1] == 0x02) {
      return slice(b, 2);
    }
    return null;
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] slice(byte[] b, int from) {
    return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
  }

  /**
   * {@code host} as an address if it is an IP literal (no DNS lookup is made), else {@code null}.
   * HTTP clients connect to a literal without a lookup, so a URL's literal host is checked here.
   *
   * @param host a host name or IP literal, IPv6 with or without brackets
   * @return the address, or {@code null} for a name
   */
  public static @Nullable InetAddress literal(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      if (h.contains(":")) {
        return InetAddress.getByName(h); // text with a colon is parsed as IPv6, never looked up
      }
      byte[] quad = dottedQuad(h);
      return quad == null ? null : InetAddress.getByAddress(quad);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * Why {@code host} is refused as written, or {@code null}: a host of digits and dots that is
   * not four numbers 0-255 ({@code 1.2.3.4.5}, {@code 1.2.3.4.}). HTTP clients such as OkHttp take
   * such a host for an IP address and hand it to the JDK, which looks it up as a name, past any
   * guarded lookup.
   *
   * @param host the host of a URL
   * @return the reason, or {@code null}
   */
  public static @Nullable String hostRefusal(String host) {
    return host.matches("[0-9.]+") && dottedQuad(host) == null ? "not a valid IPv4 address" : null;
  }

  /** The four bytes of {@code a.b.c.d} with each 0-255, or {@code null}; no lookup. */
  private static byte @Nullable [] dottedQuad(String h) {
    if (!h.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
      return null;
    }
    String[] parts = h.split("\\.");
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      int v = Integer.parseInt(parts[i]);
      if (v > 255 || (parts[i].length() > 1 && parts[i].charAt(0) == '0')) {
        // A leading zero is octal to some parsers (0177 = 127): the text would mean two addresses.
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }
}
