package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.generators.openai.ImageDownloadRefusedException.Reason;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Downloading an image URL from a reply ({@link ImageTransfer#FETCH_URL}) against real local
 * servers, trick by trick: the URL is the provider's, so it must not reach this machine, the
 * internal network or the metadata service, must not smuggle a redirect past the checks, and must
 * not fill memory or the artifact store with something that is not an image.
 */
class ImageDownloadTest {
  private static final String IMAGES = "/v1/images/generations";

  private final FakeOpenAi server = FakeOpenAi.start();
  private @TempDir Path dir;
  private OpenAiGenerators openai;
  private BodyHost host;

  @AfterEach
  void stop() {
    if (openai != null) {
      openai.close();
    }
    if (host != null) {
      host.close();
    }
    server.close();
  }

  /** The production defaults for downloads: https only, public addresses only. */
  private OpenAiGenerators.Builder defaults() {
    return OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).timeout(Duration.ofSeconds(10))
        .artifactStore(LocalDirectoryArtifactStore.of(dir)).imageTransfer(ImageTransfer.FETCH_URL);
  }

  /** What the tests need to reach the local servers: http, and 127.0.0.1 trusted by name. */
  private OpenAiGenerators.Builder local() {
    return defaults().imageAllowHttp(true).imageTrustedHosts(Set.of("127.0.0.1"));
  }

  private ImageGenerationResult generateWithUrl(String imageUrl) {
    server.on(IMAGES, FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl(imageUrl, "r")));
    return (ImageGenerationResult) openai.image().generate(ImageGenerationPayload.of("a kite"), new TestContext("image_generation"));
  }

  private ImageDownloadRefusedException refused(String imageUrl, Reason reason) {
    try {
      generateWithUrl(imageUrl);
    } catch (ImageDownloadRefusedException e) {
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
      assertThat(e).isInstanceOf(PermanentGenerationException.class);
      assertThat(e.code()).isEqualTo("image_download_refused");
      return e;
    }
    throw new AssertionError("the download of " + imageUrl + " was not refused");
  }

  /** The paths the fake server was asked for, after the images request. */
  private java.util.List<String> downloadsAsked() {
    assertThat(server.take().path()).isEqualTo(IMAGES);
    return server.pending().stream().map(FakeOpenAi.Request::path).toList();
  }

  private void assertNothingStored() throws IOException {
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void plainHttpIsRefusedByDefaultBeforeAnyConnection() throws IOException {
    openai = defaults().build();
    server.on("/files/img.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));

    ImageDownloadRefusedException e = refused(server.url("/files/img.png"), Reason.SCHEME);

    assertThat(e).hasMessage("image URL refused: only https image URLs are downloaded, this one is http "
        + "(openai.imageAllowHttp allows http, for a local test server)");
    assertThat(downloadsAsked()).isEmpty();
    assertNothingStored();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ftp://images.example.com/img.png, 'image URL refused: only https image URLs are downloaded, this one is ftp'",
    "file:///etc/passwd, 'image URL refused: only https image URLs are downloaded, this one is file'",
    "not a url, image URL refused: it is not a valid URL",
  })
  void otherSchemesAndNonUrlsAreRefused(String url, String message) {
    openai = local().build();

    assertThat(refused(url, Reason.SCHEME)).hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "https://127.0.0.1/img.png, 127.0.0.1, a loopback address",
    "https://127.1.2.3/img.png, 127.1.2.3, a loopback address",
    "https://10.0.0.1/img.png, 10.0.0.1, a private address",
    "https://172.16.5.4/img.png, 172.16.5.4, a private address",
    "https://192.168.1.1/img.png, 192.168.1.1, a private address",
    "https://169.254.169.254/latest/meta-data/, 169.254.169.254, the cloud metadata address",
    "https://169.254.10.1/img.png, 169.254.10.1, a link-local address",
    "https://100.64.0.1/img.png, 100.64.0.1, a shared (carrier-grade NAT) address",
    "https://0.0.0.0/img.png, 0.0.0.0, an unspecified address",
    "https://224.0.0.1/img.png, 224.0.0.1, a multicast address",
    "https://[::1]/img.png, [::1], a loopback address",
    "https://[::ffff:127.0.0.1]/img.png, 127.0.0.1, a loopback address",
    "https://[::ffff:10.0.0.1]/img.png, 10.0.0.1, a private address",
    "https://[fd00:ec2::254]/latest/meta-data/, [fd00:ec2::254], a private address",
    "https://[fe80::1]/img.png, [fe80::1], a link-local address",
    "https://[::]/img.png, [::], an unspecified address",
  })
  void literalNonPublicAddressesAreRefused(String url, String shownHost, String why) {
    openai = defaults().build();

    assertThat(refused(url, Reason.ADDRESS))
        .hasMessage("image URL refused: host " + shownHost + " resolves to " + why
            + " (openai.imageTrustedHosts lists hosts allowed to)");
  }

  @Test
  void allowingHttpDoesNotAllowThisMachine() throws IOException {
    openai = defaults().imageAllowHttp(true).build();
    server.on("/files/img.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));

    assertThat(refused(server.url("/files/img.png"), Reason.ADDRESS)).hasMessageContaining("resolves to a loopback address");

    assertThat(downloadsAsked()).isEmpty();
    assertNothingStored();
  }

  @Test
  void aNameThatResolvesToLoopbackIsRefusedBeforeConnecting() {
    openai = defaults().imageAllowHttp(true).build();
    server.on("/files/img.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));
    String url = server.url("/files/img.png").replace("127.0.0.1", "localhost");

    assertThat(refused(url, Reason.ADDRESS))
        .hasMessage("image URL refused: host localhost resolves to a loopback address (openai.imageTrustedHosts lists hosts allowed to)");

    assertThat(downloadsAsked()).isEmpty();
  }

  @ParameterizedTest(name = "to {0}")
  @CsvSource({
    "'http://localhost:{port}/files/img.png', image URL refused: host localhost resolves to a loopback address, ADDRESS",
    "http://169.254.169.254/latest/meta-data/iam/, image URL refused: host 169.254.169.254 resolves to the cloud metadata address, ADDRESS",
    "http://10.0.0.1/img.png, image URL refused: host 10.0.0.1 resolves to a private address, ADDRESS",
    "http://1.2.3.4.5/img.png, image URL refused: host 1.2.3.4.5 is not a valid IPv4 address, ADDRESS",
    "file:///etc/passwd, 'image URL refused: only https image URLs are downloaded, this one is file', SCHEME",
  })
  void aRedirectFromAnAllowedHostToARefusedOneIsRefused(String location, String message, Reason reason) throws IOException {
    openai = local().build();
    String port = String.valueOf(java.net.URI.create(server.baseUrl()).getPort());
    server.on("/files/redirect", FakeOpenAi.Reply.json(302, "").withHeader("Location", location.replace("{port}", port)));
    server.on("/files/img.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));

    ImageDownloadRefusedException e = refused(server.url("/files/redirect"), reason);

    assertThat(e.getMessage()).startsWith(message).endsWith("(reached by 1 redirect from http://127.0.0.1:" + port + ")");
    assertThat(downloadsAsked()).containsExactly("/files/redirect");
    assertNothingStored();
  }

  @Test
  void redirectsAreFollowedByHandUpToThree() throws IOException {
    openai = local().build();
    server.on("/files/a", FakeOpenAi.Reply.json(301, "").withHeader("Location", "/files/b"));
    server.on("/files/b", FakeOpenAi.Reply.json(307, "").withHeader("Location", server.url("/files/c")));
    server.on("/files/c", FakeOpenAi.Reply.json(302, "").withHeader("Location", "img.png"));
    server.on("/files/img.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));

    ImageGenerationResult result = generateWithUrl(server.url("/files/a"));

    assertThat(downloadsAsked()).containsExactly("/files/a", "/files/b", "/files/c", "/files/img.png");
    assertThat(result.images().get(0).stored().contentType()).isEqualTo("image/png");
  }

  @Test
  void aRedirectLoopStopsAfterThreeRedirects() {
    openai = local().build();
    for (int i = 0; i < 10; i++) {
      server.on("/files/loop", FakeOpenAi.Reply.json(302, "").withHeader("Location", "/files/loop"));
    }

    ImageDownloadRefusedException e = refused(server.url("/files/loop"), Reason.REDIRECT);

    assertThat(e).hasMessage("image URL refused: more than 3 redirects from " + server.url(""));
    assertThat(downloadsAsked()).containsExactly("/files/loop", "/files/loop", "/files/loop", "/files/loop");
  }

  @Test
  void aStreamedBodyOverTheLimitIsCutOffWhileReading() throws Exception {
    openai = local().imageMaxBytes(64 * 1024).build();
    host = BodyHost.start(false);

    ImageDownloadRefusedException e = refused(host.url(), Reason.TOO_LARGE);

    assertThat(e).hasMessage("image download refused: the image is larger than 65536 bytes (openai.imageMaxBytes)");
    assertThat(host.finished.await(10, TimeUnit.SECONDS)).as("the server's write ended").isTrue();
    assertThat(host.clientClosed).as("the server saw the connection closed").isTrue();
    assertThat(host.written.get()).as("bytes the server got out").isLessThan(BodyHost.TOTAL);
    assertNothingStored();
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedBeforeReading() throws Exception {
    openai = local().imageMaxBytes(64 * 1024).build();
    host = BodyHost.start(true);

    refused(host.url(), Reason.TOO_LARGE);

    assertThat(host.finished.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(host.clientClosed).isTrue();
    assertThat(host.written.get()).isLessThan(BodyHost.TOTAL);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "an HTML page, '<!doctype html><html><body>not an image</body></html>'",
    "JSON, '{\"error\": \"no\"}'",
    "a short body, 'GIF'",
    "an empty body, ''",
  })
  void aBodyThatIsNotAnImageIsRefusedWhateverItsContentType(String name, String body) throws IOException {
    openai = local().build();
    server.on("/files/img.png", FakeOpenAi.Reply.bytes(body.getBytes(StandardCharsets.UTF_8), "image/png"));

    ImageDownloadRefusedException e = refused(server.url("/files/img.png"), Reason.NOT_AN_IMAGE);

    assertThat(e.getMessage()).startsWith("image download refused: the body is not a PNG, JPEG, WebP or GIF image");
    assertNothingStored();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "png, 89504e470d0a1a0a0000000d49484452, image/png",
    "jpg, ffd8ffe000104a4649460001, image/jpeg",
    "webp, 52494646240000005745425056503820, image/webp",
    "gif, 474946383961010001000000, image/gif",
  })
  void aValidImageIsStoredWithTheTypeItsBytesSay(String extension, String hex, String type) throws IOException {
    openai = local().build();
    byte[] bytes = java.util.HexFormat.of().parseHex(hex);
    // The Content-Type is wrong on purpose: the bytes decide.
    server.on("/files/download", FakeOpenAi.Reply.bytes(bytes, "application/octet-stream"));

    ImageGenerationResult result = generateWithUrl(server.url("/files/download"));

    StoredArtifact stored = result.images().get(0).stored();
    assertThat(stored.contentType()).isEqualTo(type);
    assertThat(stored.location()).endsWith("/image-1." + extension);
    assertThat(Files.readAllBytes(Path.of(java.net.URI.create(stored.location())))).isEqualTo(bytes);
  }

  @Test
  void cancellingTheJobAbortsADownloadInFlight() throws Exception {
    openai = local().build();
    server.on(IMAGES, FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl(server.url("/files/slow.png"), "r")));
    server.on("/files/slow.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png").held());
    TestContext context = new TestContext("image_generation");
    Thread canceller = new Thread(() -> {
      server.take(); // the images request
      server.take(); // the download, now held by the server
      context.cancel();
    });
    canceller.start();

    assertThatThrownBy(() -> openai.image().generate(ImageGenerationPayload.of("a kite"), context))
        .isInstanceOf(dev.asyncjobs.JobCancelledException.class);
    canceller.join(10_000);
    assertNothingStored();
  }

  @Test
  void theAllowPrivateAddressesSwitchLetsTestsReachThisMachine() {
    openai = defaults().imageAllowHttp(true).imageAllowPrivateAddresses(true).build();
    String url = server.url("/files/img.png").replace("127.0.0.1", "localhost");
    server.on("/files/img.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));

    assertThat(generateWithUrl(url).images().get(0).stored().sizeBytes()).isEqualTo(OpenAiReplies.png().length);
  }

  @Test
  void theSettingsSpellTheRules() throws Exception {
    openai = OpenAiGenerators.fromSettings(Map.of(
        "openai.apiKey", "sk-test", "openai.baseUrl", server.baseUrl(), "openai.artifactDir", dir.toString(),
        "openai.imageTransfer", "fetch", "openai.imageAllowHttp", "true", "openai.imageTrustedHosts", "example.com, 127.0.0.1",
        "openai.imageMaxBytes", "1KiB"), Map.of());
    server.on("/files/small.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));
    byte[] big = java.util.Arrays.copyOf(OpenAiReplies.png(), 1025);
    server.on("/files/big.png", FakeOpenAi.Reply.bytes(big, "image/png"));

    assertThat(generateWithUrl(server.url("/files/small.png")).images().get(0).stored()).isNotNull();
    assertThat(refused(server.url("/files/big.png"), Reason.TOO_LARGE))
        .hasMessage("image download refused: the image is larger than 1024 bytes (openai.imageMaxBytes)");
  }

  @Test
  void aRefusalFailsTheJobAtOnceWithoutRetrying() {
    openai = defaults().build();
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generators(openai.all())
        .quotaPolicy(QuotaPolicy.unlimited()).build()) {
      server.on(IMAGES, FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://169.254.169.254/latest/meta-data/", "r")));
      Job job = jobs.create(JobRequest.builder("alice", "image_generation").payload("{\"prompt\": \"a kite\"}").build());

      Job done = ManualWorker.of(jobs).runNext().orElseThrow();

      assertThat(done.id()).isEqualTo(job.id());
      assertThat(done.status()).isEqualTo(JobStatus.FAILED);
      assertThat(done.attempts()).isEqualTo(1);
      assertThat(done.maxAttempts()).isGreaterThan(1);
      assertThat(done.errorMessage()).isEqualTo(
          "image URL refused: host 169.254.169.254 resolves to the cloud metadata address "
              + "(openai.imageTrustedHosts lists hosts allowed to)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "http://images.example.com | openai.imageTrustedHosts: 'http://images.example.com' is not a host name or IP address",
    "images.example.com:8080 | openai.imageTrustedHosts: 'images.example.com:8080' is not a host name or IP address",
    "*.example.com | openai.imageTrustedHosts: '*.example.com' is not a host name or IP address",
  })
  void theBuilderRefusesBadTrustedHosts(String host, String message) {
    assertThatThrownBy(() -> defaults().imageTrustedHosts(Set.of(host)))
        .isInstanceOf(dev.asyncjobs.JobConfigurationException.class)
        .hasMessageStartingWith(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"1023", "536870913"})
  void theBuilderRefusesALimitOutOfRange(long bytes) {
    assertThatThrownBy(() -> defaults().imageMaxBytes(bytes))
        .isInstanceOf(dev.asyncjobs.JobConfigurationException.class)
        .hasMessage("openai.imageMaxBytes must be between 1024 and 536870912 bytes, was " + bytes);
  }

  @Test
  void aBadSizeSettingNamesTheSetting() {
    assertThatThrownBy(() -> OpenAiGenerators.fromSettings(
            Map.of("openai.apiKey", "sk-test", "openai.imageMaxBytes", "50 megs"), Map.of()))
        .isInstanceOf(dev.asyncjobs.JobConfigurationException.class)
        .hasMessage("openai.imageMaxBytes must be a size in bytes such as 1048576, 512KiB or 50MiB, was '50 megs'");
  }

  /**
   * A server that sends a PNG signature and then zeros, 64 MiB in all, and records how much it got
   * out before the client hung up.
   */
  static final class BodyHost implements AutoCloseable {
    static final long TOTAL = 64L * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final AtomicLong written = new AtomicLong();
    final CountDownLatch finished = new CountDownLatch(1);
    volatile boolean clientClosed;

    private BodyHost(boolean declareLength) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(executor);
      server.createContext("/big.png", exchange -> send(exchange, declareLength));
      server.start();
    }

    static BodyHost start(boolean declareLength) throws IOException {
      return new BodyHost(declareLength);
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/big.png";
    }

    private void send(HttpExchange exchange, boolean declareLength) {
      byte[] chunk = new byte[64 * 1024];
      System.arraycopy(OpenAiReplies.png(), 0, chunk, 0, OpenAiReplies.png().length);
      try (exchange) {
        exchange.getResponseHeaders().add("Content-Type", "image/png");
        exchange.sendResponseHeaders(200, declareLength ? TOTAL : 0);
        OutputStream out = exchange.getResponseBody();
        while (written.get() < TOTAL) {
          out.write(chunk);
          out.flush();
          written.addAndGet(chunk.length);
        }
      } catch (IOException e) {
        clientClosed = true;
      } finally {
        finished.countDown();
      }
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
