package dev.asyncjobs.webhooks.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Connection;
import okhttp3.Dns;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * The webhook client's name lookup: resolves once and refuses the host unless every address passes
 * the {@link UrlRules}. OkHttp connects only to the addresses a {@link Dns} returns, so the address
 * checked is the address connected to, and a name that answers differently to a second lookup (DNS
 * rebinding) never gets one.
 */
final class GuardedDns implements Dns {
  private final UrlRules rules;
  private final Dns system;

  GuardedDns(UrlRules rules, Dns system) {
    this.rules = rules;
    this.system = system;
  }

  @Override
  public List<InetAddress> lookup(String host) throws UnknownHostException {
    List<InetAddress> addresses = system.lookup(host);
    String refused = rules.refusal(host, addresses);
    if (refused != null) {
      throw new RefusedHost(refused);
    }
    return List.copyOf(addresses);
  }

  /** The refusal inside a failed call's exception chain, or {@code null}. */
  static @Nullable String refusalIn(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RefusedHost) {
        return t.getMessage();
      }
    }
    return null;
  }

  /**
   * Checks the address OkHttp actually connected to before the request is sent: a second line
   * behind the lookup, for a reused or coalesced connection.
   */
  static final class PeerCheck implements Interceptor {
    private final UrlRules rules;

    PeerCheck(UrlRules rules) {
      this.rules = rules;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
      Connection connection = chain.connection();
      InetAddress peer = connection == null ? null : connection.route().socketAddress().getAddress();
      String refused = peer == null ? null : rules.refusal(chain.request().url().host(), List.of(peer));
      if (refused != null) {
        throw new RefusedHost(refused);
      }
      return chain.proceed(chain.request());
    }
  }

  /** A refused host, as the {@link UnknownHostException} a {@link Dns} may throw. */
  static final class RefusedHost extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    RefusedHost(String message) {
      super(message);
    }
  }
}
