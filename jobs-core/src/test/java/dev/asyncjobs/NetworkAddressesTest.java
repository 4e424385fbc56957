package dev.asyncjobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a request to an outside URL may connect to. */
class NetworkAddressesTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "127.0.0.1, a loopback address",
    "127.255.255.254, a loopback address",
    "0.0.0.0, an unspecified address",
    "0.1.2.3, an unspecified address",
    "10.1.2.3, a private address",
    "172.16.0.1, a private address",
    "172.31.255.255, a private address",
    "192.168.0.1, a private address",
    "169.254.169.254, the cloud metadata address",
    "169.254.0.1, a link-local address",
    "100.64.0.1, a shared (carrier-grade NAT) address",
    "100.127.255.255, a shared (carrier-grade NAT) address",
    "100.100.100.200, a shared (carrier-grade NAT) address",
    "224.0.0.251, a multicast address",
    "239.255.255.250, a multicast address",
    "240.0.0.1, a reserved address",
    "255.255.255.255, a reserved address",
    "192.0.0.8, a reserved address",
    "198.18.0.1, a reserved address",
    "::1, a loopback address",
    "::, an unspecified address",
    "fe80::1, a link-local address",
    "fec0::1, a private address",
    "fc00::1, a private address",
    "fd00:ec2::254, a private address",
    "ff02::1, a multicast address",
    "::ffff:127.0.0.1, a loopback address",
    "::ffff:169.254.169.254, the cloud metadata address",
    "::10.0.0.1, a private address",
    "64:ff9b::a00:1, a private address",
    "2002:7f00:1::, a loopback address",
    "64:ff9b:1::a9fe:a9fe, a local-use NAT64 address",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2, a Teredo address",
  })
  void refusesNonPublicAddresses(String address, String why) throws Exception {
    assertThat(NetworkAddresses.refusal(InetAddress.getByName(address))).isEqualTo(why);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
    "8.8.8.8", "1.1.1.1", "20.60.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.1.1",
    "2606:4700:4700::1111", "2a00:1450:4001::200e", "64:ff9b::808:808", "2002:808:808::"})
  void allowsPublicAddresses(String address) throws Exception {
    assertThat(NetworkAddresses.refusal(InetAddress.getByName(address))).isNull();
  }

  /** Java turns {@code ::ffff:a.b.c.d} text into IPv4, but an IPv6 object can still carry it. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "00000000000000000000ffff7f000001, a loopback address",
    "00000000000000000000ffff0a000001, a private address",
    "00000000000000000000ffffa9fea9fe, the cloud metadata address",
  })
  void refusesIpv4MappedAddressesHeldAsIpv6(String hex, String why) throws Exception {
    InetAddress mapped = Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex), -1);

    assertThat(mapped).isInstanceOf(Inet6Address.class);
    assertThat(NetworkAddresses.refusal(mapped)).isEqualTo(why);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"127.0.0.1, 127.0.0.1", "[::1], 0:0:0:0:0:0:0:1", "::1, 0:0:0:0:0:0:0:1"})
  void readsLiteralsWithoutALookup(String host, String address) {
    assertThat(NetworkAddresses.literal(host)).isNotNull().extracting(InetAddress::getHostAddress).isEqualTo(address);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"localhost", "images.example.com", "1.example", "1.2.3.4.5", "1.2.3.4.", "256.1.1.1", "1.2.3"})
  void namesAreNotLiterals(String host) {
    assertThat(NetworkAddresses.literal(host)).isNull();
  }

  /** Digits and dots that are no IPv4 address: a client would look them up past the guard. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"1.2.3.4.5", "1.2.3.4.", "256.1.1.1", "1.2.3", "0177.0.0.1", "12345"})
  void ambiguousNumericHostsAreRefused(String host) {
    assertThat(NetworkAddresses.hostRefusal(host)).isEqualTo("not a valid IPv4 address");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"8.8.8.8", "127.0.0.1", "hooks.example.com", "1.example", "::1"})
  void otherHostsAreNotRefusedAsWritten(String host) {
    assertThat(NetworkAddresses.hostRefusal(host)).isNull();
  }
}
