package dev.asyncjobs.generators.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.asyncjobs.generators.openai.ImageDownloadRefusedException;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Dns;
import okhttp3.Interceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fetcher connects to the addresses its lookup checked, and to nothing else: names under the
 * reserved {@code .test} domain resolve only through the resolver given here, so a download that
 * arrives at the local server went to the checked address.
 */
class ImageFetcherTest {
  private static final byte[] PNG = OpenAiReplies.png();
  private static final Interceptor NO_TRACKING = chain -> chain.proceed(chain.request());

  private final List<String> hostHeaders = new CopyOnWriteArrayList<>();
  private final List<String> lookups = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private ImageFetcher fetcher;

  ImageFetcherTest() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/img.png", exchange -> {
      try (exchange) {
        hostHeaders.add(exchange.getRequestHeaders().getFirst("Host"));
        exchange.getResponseHeaders().add("Content-Type", "image/png");
        exchange.sendResponseHeaders(200, PNG.length);
        exchange.getResponseBody().write(PNG);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    if (fetcher != null) {
      fetcher.close();
    }
    server.stop(0);
  }

  private Dns resolving(String... addresses) {
    return host -> {
      lookups.add(host);
      List<InetAddress> out = new java.util.ArrayList<>();
      for (String a : addresses) {
        out.add(InetAddress.getByName(a));
      }
      return out;
    };
  }

  private String url(String host) {
    return "http://" + host + ":" + server.getAddress().getPort() + "/img.png";
  }

  @Test
  void aTrustedNameIsLookedUpOnceAndTheCheckedAddressIsTheOneConnectedTo() {
    fetcher = new ImageFetcher(
        Duration.ofSeconds(10), new UrlPolicy(true, false, Set.of("images.test")), 1024, NO_TRACKING, resolving("127.0.0.1"));

    byte[] bytes = fetcher.fetch(url("images.test"));

    assertThat(bytes).isEqualTo(PNG);
    assertThat(lookups).containsExactly("images.test");
    assertThat(hostHeaders).containsExactly("images.test:" + server.getAddress().getPort());
  }

  @Test
  void aNameThatResolvesToAPrivateAddressIsRefusedWithoutConnecting() {
    fetcher = new ImageFetcher(
        Duration.ofSeconds(10), new UrlPolicy(true, false, Set.of()), 1024, NO_TRACKING, resolving("127.0.0.1"));

    assertThatThrownBy(() -> fetcher.fetch(url("rebind.test")))
        .isInstanceOfSatisfying(ImageDownloadRefusedException.class,
            e -> assertThat(e.reason()).isEqualTo(ImageDownloadRefusedException.Reason.ADDRESS))
        .hasMessage("image URL refused: host rebind.test resolves to a loopback address "
            + "(openai.imageTrustedHosts lists hosts allowed to)");
    assertThat(hostHeaders).isEmpty();
  }

  @Test
  void oneNonPublicAddressAmongPublicOnesIsEnoughToRefuse() {
    fetcher = new ImageFetcher(
        Duration.ofSeconds(10), new UrlPolicy(true, false, Set.of()), 1024, NO_TRACKING,
        resolving("8.8.8.8", "169.254.169.254"));

    assertThatThrownBy(() -> fetcher.fetch(url("mixed.test")))
        .isInstanceOf(ImageDownloadRefusedException.class)
        .hasMessageContaining("resolves to the cloud metadata address");
    assertThat(hostHeaders).isEmpty();
  }

  @Test
  void trustedHostsMatchIgnoringCaseAndBrackets() {
    UrlPolicy policy = new UrlPolicy(false, false, Set.of("Images.Internal.Example", "[FD00::5]"));

    assertThat(policy.refusal("images.internal.example", List.of(InetAddress.getLoopbackAddress()))).isNull();
    assertThat(policy.refusal("fd00::5", List.of(InetAddress.getLoopbackAddress()))).isNull();
    assertThat(policy.refusal("other.example", List.of(InetAddress.getLoopbackAddress()))).isNotNull();
  }
}
