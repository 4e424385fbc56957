package dev.asyncjobs.webhooks.internal;

import dev.asyncjobs.NetworkAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which callback URLs webhooks are sent to: {@code https} (plain {@code http} only when allowed),
 * no user info, hosts whose every address is public (unless private addresses are allowed, or the
 * host is trusted). The rules of the OpenAI image fetcher, over {@link NetworkAddresses}: an owner
 * chooses the URL, so it is untrusted input. Refusals name the host and the rule; the address a
 * name resolved to goes to the log only. Immutable.
 */
public final class UrlRules {
  private static final Logger LOG = LoggerFactory.getLogger(UrlRules.class);
  /** The longest URL taken: it is kept in the job's metadata. */
  public static final int MAX_URL_LENGTH = 512;

  private final boolean allowHttp;
  private final boolean allowPrivateAddresses;
  private final Set<String> trustedHosts;

  /**
   * @param allowHttp whether plain {@code http} URLs are taken (a local receiver)
   * @param allowPrivateAddresses whether non-public addresses are allowed for every host
   * @param trustedHosts hosts that may resolve to non-public addresses
   */
  public UrlRules(boolean allowHttp, boolean allowPrivateAddresses, Set<String> trustedHosts) {
    this.allowHttp = allowHttp;
    this.allowPrivateAddresses = allowPrivateAddresses;
    this.trustedHosts = trustedHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * {@code url} parsed, or why it is refused: its form, its scheme and, when its host is an IP
   * literal, that address (HTTP clients connect to literals without a lookup). A name's addresses
   * are checked when it is resolved, at delivery.
   *
   * @param url the URL
   * @return the parsed URL
   * @throws RefusedUrl the URL breaks a rule
   */
  public HttpUrl check(String url) {
    if (url.length() > MAX_URL_LENGTH) {
      throw new RefusedUrl("webhook URL refused: it is longer than " + MAX_URL_LENGTH + " characters");
    }
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      throw new RefusedUrl("webhook URL refused: it is not an http(s) URL");
    }
    if (!"https".equals(parsed.scheme()) && !allowHttp) {
      throw new RefusedUrl("webhook URL refused: only https URLs are called, this one is " + parsed.scheme()
          + " (Webhooks.Builder.allowHttp allows http, for a local receiver)");
    }
    if (!parsed.username().isEmpty() || !parsed.password().isEmpty()) {
      throw new RefusedUrl("webhook URL refused: it carries a user name or password; sign with the owner's secret instead");
    }
    String asWritten = NetworkAddresses.hostRefusal(parsed.host());
    if (asWritten != null) {
      throw new RefusedUrl("webhook URL refused: host " + parsed.host() + " is " + asWritten);
    }
    InetAddress literal = NetworkAddresses.literal(parsed.host());
    if (literal != null) {
      String refusal = refusal(parsed.host(), List.of(literal));
      if (refusal != null) {
        throw new RefusedUrl(refusal);
      }
    }
    return parsed;
  }

  /**
   * Why connecting to {@code host} at {@code addresses} is refused, or {@code null} if all may be
   * used. One non-public address is enough to refuse: the client could pick it on any connection.
   */
  @Nullable String refusal(String host, List<InetAddress> addresses) {
    if (allowPrivateAddresses || trustedHosts.contains(host.toLowerCase(Locale.ROOT))) {
      return null;
    }
    for (InetAddress a : addresses) {
      String why = NetworkAddresses.refusal(a);
      if (why != null) {
        LOG.warn("webhook refused: host {} resolves to {} ({})", host, a.getHostAddress(), why);
        return "webhook URL refused: host " + (host.contains(":") ? "[" + host + "]" : host) + " is " + why
            + " (Webhooks.Builder.trustedHosts lists hosts allowed to be)";
      }
    }
    return null;
  }

  /** A URL that breaks a rule; the message says which. */
  public static final class RefusedUrl extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedUrl(String message) {
      super(message, null, false, false);
    }
  }
}
