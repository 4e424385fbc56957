package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.generators.openai.ImageDownloadRefusedException;
import dev.asyncjobs.generators.openai.ImageDownloadRefusedException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Proxy;
import java.time.Duration;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * Downloads an image OpenAI made, before its URL expires, under the {@link UrlPolicy}: the URL
 * comes from a reply, so it is treated as untrusted input. Redirects are followed by hand, each
 * hop checked again; the body is read only up to the size limit and kept only if its first bytes
 * are an image.
 *
 * <p>This uses OkHttp (already here for openai-java) rather than the JDK's {@code HttpClient}:
 * the JDK client resolves names itself and offers no hook to pin the connection to the address
 * that was checked, while OkHttp connects only to what its {@link GuardedDns} returned. Runs on
 * the call runner's helper thread; {@code tracker} links each call to its handle so that a cancel
 * closes the socket.
 */
final class ImageFetcher implements AutoCloseable {
  /** The default size limit: OpenAI's largest PNGs are a few MB. */
  static final long DEFAULT_MAX_BYTES = 50L * 1024 * 1024;
  /** How many redirects are followed; a blob store needs none or one. */
  static final int MAX_REDIRECTS = 3;

  private static final int BUFFER = 64 * 1024;

  private final OkHttpClient http;
  private final UrlPolicy policy;
  private final long maxBytes;

  ImageFetcher(Duration timeout, ImageDownloads downloads, Interceptor tracker) {
    this(timeout, downloads.policy(), downloads.maxBytes(), tracker);
  }

  ImageFetcher(Duration timeout, UrlPolicy policy, long maxBytes, Interceptor tracker) {
    this(timeout, policy, maxBytes, tracker, Dns.SYSTEM);
  }

  /** As the other constructor, resolving names with {@code resolver} (tests pin names to addresses). */
  ImageFetcher(Duration timeout, UrlPolicy policy, long maxBytes, Interceptor tracker, Dns resolver) {
    this.policy = policy;
    this.maxBytes = maxBytes;
    this.http =
        new OkHttpClient.Builder()
            .dns(new GuardedDns(policy, resolver))
            // Through a proxy, the proxy would resolve and connect to the host, past every check.
            .proxy(Proxy.NO_PROXY)
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .callTimeout(timeout)
            .addInterceptor(tracker)
            .addNetworkInterceptor(new GuardedDns.PeerCheck(policy))
            .build();
  }

  /**
   * The bytes of the image at {@code url}.
   *
   * @throws ImageDownloadRefusedException the URL, a redirect, the size or the bytes broke the rules
   * @throws RetryableGenerationException the download failed (network, timeout, an expired URL)
   */
  byte[] fetch(String url) {
    String current = url;
    String origin = "";
    for (int redirects = 0; ; redirects++) {
      HttpUrl target;
      try {
        target = policy.check(current);
      } catch (ImageDownloadRefusedException e) {
        throw afterRedirects(e, redirects, origin);
      }
      if (redirects == 0) {
        origin = origin(target);
      }
      Call call = http.newCall(new Request.Builder().url(target).get().build());
      try (Response response = call.execute()) {
        if (response.isRedirect()) {
          call.cancel(); // rather than let closing the response drain a body nobody reads
          String location = response.header("Location");
          if (location == null) {
            throw failed(target, "HTTP " + response.code() + " without a Location");
          }
          if (redirects == MAX_REDIRECTS) {
            throw new ImageDownloadRefusedException(
                Reason.REDIRECT, "image URL refused: more than " + MAX_REDIRECTS + " redirects from " + origin);
          }
          HttpUrl next = target.resolve(location);
          current = next != null ? next.toString() : location;
          continue;
        }
        if (response.code() != 200) {
          call.cancel();
          throw failed(target, "HTTP " + response.code() + " (the URL may have expired)");
        }
        return read(call, response);
      } catch (IOException e) {
        ImageDownloadRefusedException refused = refusal(e);
        if (refused != null) {
          throw afterRedirects(refused, redirects, origin);
        }
        if (call.isCanceled() || Thread.currentThread().isInterrupted()) {
          throw new RetryableGenerationException("the image download was aborted", null, e);
        }
        throw new RetryableGenerationException(
            "could not download the generated image from " + origin(target) + ": " + e, null, e);
      }
    }
  }

  /** The body, read up to one byte past the limit and no further. */
  private byte[] read(Call call, Response response) throws IOException {
    ResponseBody body = response.body();
    if (body == null) {
      throw notAnImage(call, response);
    }
    if (body.contentLength() > maxBytes) {
      throw tooLarge(call);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(BUFFER);
    byte[] buffer = new byte[BUFFER];
    long total = 0;
    boolean sniffed = false;
    InputStream in = body.byteStream();
    int n;
    while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, maxBytes + 1 - total))) != -1) {
      out.write(buffer, 0, n);
      total += n;
      if (total > maxBytes) {
        throw tooLarge(call);
      }
      if (!sniffed && total >= ImageFormat.SNIFF_BYTES) {
        // Decide on the first bytes, rather than after downloading a large page that is no image.
        sniffed = true;
        if (ImageFormat.sniff(out.toByteArray()) == null) {
          throw notAnImage(call, response);
        }
      }
    }
    byte[] bytes = out.toByteArray();
    if (ImageFormat.sniff(bytes) == null) {
      throw notAnImage(call, response);
    }
    return bytes;
  }

  private ImageDownloadRefusedException tooLarge(Call call) {
    // Cancelling closes the socket; closing the response alone would first try to drain the rest.
    call.cancel();
    return new ImageDownloadRefusedException(
        Reason.TOO_LARGE, "image download refused: the image is larger than " + maxBytes + " bytes (openai.imageMaxBytes)");
  }

  private static ImageDownloadRefusedException notAnImage(Call call, Response response) {
    call.cancel();
    String declared = response.header("Content-Type");
    return new ImageDownloadRefusedException(
        Reason.NOT_AN_IMAGE,
        "image download refused: the body is not a PNG, JPEG, WebP or GIF image"
            + (declared == null ? "" : " (whatever its Content-Type " + abbreviate(declared) + " says)"));
  }

  private static ImageDownloadRefusedException afterRedirects(ImageDownloadRefusedException e, int redirects, String origin) {
    if (redirects == 0) {
      return e;
    }
    return new ImageDownloadRefusedException(
        e.reason(), e.getMessage() + " (reached by " + redirects + (redirects == 1 ? " redirect" : " redirects") + " from "
            + origin + ")");
  }

  private static @Nullable ImageDownloadRefusedException refusal(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof GuardedDns.RefusedHost r) {
        return r.refusal;
      }
    }
    return null;
  }

  private static RetryableGenerationException failed(HttpUrl url, String why) {
    return new RetryableGenerationException("could not download the generated image from " + origin(url) + ": " + why);
  }

  private static String origin(HttpUrl url) {
    String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host();
    return url.scheme() + "://" + host + (url.port() == HttpUrl.defaultPort(url.scheme()) ? "" : ":" + url.port());
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 59) + "…";
  }

  /** Releases the connections and the client's threads. */
  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
