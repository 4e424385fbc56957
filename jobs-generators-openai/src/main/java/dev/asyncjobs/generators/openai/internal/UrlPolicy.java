package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.NetworkAddresses;
import dev.asyncjobs.generators.openai.ImageDownloadRefusedException;
import dev.asyncjobs.generators.openai.ImageDownloadRefusedException.Reason;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which image URLs may be downloaded: {@code https} (plain {@code http} only when allowed), to
 * hosts whose every address is public (unless private addresses are allowed, or the host is
 * trusted). Immutable. Refusals name the URL's host and the rule; the address a name resolved to
 * goes to the log only, since job owners read the message and need not learn the internal network.
 */
final class UrlPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(UrlPolicy.class);

  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]{0,15}):");

  private final boolean allowHttp;
  private final boolean allowPrivateAddresses;
  private final Set<String> trustedHosts;

  /**
   * @param allowHttp whether plain {@code http} URLs are downloaded (a local test server)
   * @param allowPrivateAddresses whether non-public addresses are allowed for every host (tests)
   * @param trustedHosts hosts, lower case, that may resolve to non-public addresses
   */
  UrlPolicy(boolean allowHttp, boolean allowPrivateAddresses, Set<String> trustedHosts) {
    this.allowHttp = allowHttp;
    this.allowPrivateAddresses = allowPrivateAddresses;
    this.trustedHosts = trustedHosts.stream().map(UrlPolicy::normalize).collect(Collectors.toUnmodifiableSet());
  }

  /** The policy of a production default: https only, public addresses only. */
  static UrlPolicy strict() {
    return new UrlPolicy(false, false, Set.of());
  }

  /**
   * {@code url} parsed, once its scheme is allowed and, when its host is an IP literal, that
   * address too (OkHttp connects to literals without asking the {@link GuardedDns}).
   */
  HttpUrl check(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      // OkHttp parses http(s) only: say which scheme it was when it is a short, plain one.
      Matcher m = SCHEME.matcher(url);
      throw new ImageDownloadRefusedException(
          Reason.SCHEME,
          m.lookingAt() && !isHttp(m.group(1))
              ? "image URL refused: only https image URLs are downloaded, this one is " + m.group(1).toLowerCase(Locale.ROOT)
              : "image URL refused: it is not a valid URL");
    }
    if (!"https".equals(parsed.scheme()) && !allowHttp) {
      throw new ImageDownloadRefusedException(
          Reason.SCHEME,
          "image URL refused: only https image URLs are downloaded, this one is " + parsed.scheme()
              + " (openai.imageAllowHttp allows http, for a local test server)");
    }
    String asWritten = NetworkAddresses.hostRefusal(parsed.host());
    if (asWritten != null) {
      throw new ImageDownloadRefusedException(Reason.ADDRESS, "image URL refused: host " + parsed.host() + " is " + asWritten);
    }
    InetAddress literal = NetworkAddresses.literal(parsed.host());
    if (literal != null) {
      ImageDownloadRefusedException refused = refusal(parsed.host(), List.of(literal));
      if (refused != null) {
        throw refused;
      }
    }
    return parsed;
  }

  /** The refusal of connecting to {@code host} at {@code addresses}, or {@code null} if all may be used. */
  @Nullable ImageDownloadRefusedException refusal(String host, List<InetAddress> addresses) {
    if (allowPrivateAddresses || trustedHosts.contains(normalize(host))) {
      return null;
    }
    // One non-public address is enough to refuse: the client could pick it on any connection.
    for (InetAddress a : addresses) {
      String why = NetworkAddresses.refusal(a);
      if (why != null) {
        LOG.warn("image download refused: host {} resolves to {} ({})", host, a.getHostAddress(), why);
        return new ImageDownloadRefusedException(
            Reason.ADDRESS,
            "image URL refused: host " + display(host) + " resolves to " + why
                + " (openai.imageTrustedHosts lists hosts allowed to)");
      }
    }
    return null;
  }

  private static boolean isHttp(String scheme) {
    return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
  }

  private static String display(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /** Lower case, without IPv6 brackets, as OkHttp spells hosts. */
  static String normalize(String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    HttpUrl probe = HttpUrl.parse("http://" + (h.contains(":") ? "[" + h + "]" : h) + "/");
    return probe == null ? h : probe.host();
  }
}
