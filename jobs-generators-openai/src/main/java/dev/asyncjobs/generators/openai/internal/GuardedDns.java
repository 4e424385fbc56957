package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.generators.openai.ImageDownloadRefusedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Connection;
import okhttp3.Dns;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * The image client's name lookup: resolves once and refuses the host unless every address passes
 * the {@link UrlPolicy}. OkHttp connects only to the addresses a {@link Dns} returns, so the
 * address checked is the address connected to: a name that answers a public address to the check
 * and a private one to the connection (DNS rebinding) has no second lookup to exploit.
 */
final class GuardedDns implements Dns {
  private final UrlPolicy policy;
  private final Dns system;

  GuardedDns(UrlPolicy policy, Dns system) {
    this.policy = policy;
    this.system = system;
  }

  @Override
  public List<InetAddress> lookup(String host) throws UnknownHostException {
    List<InetAddress> addresses = system.lookup(host);
    ImageDownloadRefusedException refused = policy.refusal(host, addresses);
    if (refused != null) {
      throw new RefusedHost(refused);
    }
    return List.copyOf(addresses);
  }

  /**
   * A network interceptor that checks the address OkHttp actually connected to before the request
   * is sent: a second line behind the lookup, for IP literals (which OkHttp connects to without a
   * lookup) and for a reused or coalesced connection.
   */
  static final class PeerCheck implements Interceptor {
    private final UrlPolicy policy;

    PeerCheck(UrlPolicy policy) {
      this.policy = policy;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
      Connection connection = chain.connection();
      if (connection != null) {
        InetAddress peer = connection.route().socketAddress().getAddress();
        ImageDownloadRefusedException refused =
            peer == null ? null : policy.refusal(chain.request().url().host(), List.of(peer));
        if (refused != null) {
          throw new RefusedHost(refused);
        }
      }
      return chain.proceed(chain.request());
    }
  }

  /**
   * A refused host, as the {@link UnknownHostException} a {@link Dns} may throw; the fetcher
   * unwraps the refusal.
   */
  static final class RefusedHost extends UnknownHostException {
    private static final long serialVersionUID = 1L;
    final transient ImageDownloadRefusedException refusal;

    RefusedHost(ImageDownloadRefusedException refusal) {
      super(refusal.getMessage());
      this.refusal = refusal;
    }
  }
}
