package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobCancelledException;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RateLimitedException;
import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How each of the six generators fails: a rate limit pauses the model's resource for the wait its
 * headers ask for, server errors are retryable with the server's Retry-After, refusals permanent with an actionable message, malformed replies permanent
 * saying what was wrong, timeouts retryable, and cancellation aborts the call in flight.
 */
class ErrorMappingTest {
  private final FakeOpenAi server = FakeOpenAi.start();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private OpenAiGenerators openai = client(Duration.ofSeconds(30));

  private OpenAiGenerators client(Duration timeout) {
    return OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).timeout(timeout).build();
  }

  @AfterEach
  void stop() {
    openai.close();
    server.close();
    threads.shutdownNow();
  }

  static List<GeneratorCase> cases() {
    return GeneratorCase.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aGoodReplyCompletes(GeneratorCase c) {
    server.on(c.path(), FakeOpenAi.Reply.json(200, c.goodReply()));

    assertThat(c.run(openai, new TestContext(c.type()))).isNotNull();
    assertThat(server.take().path()).isEqualTo(c.path());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aRateLimitPausesTheModelsResourceForTheServersRetryAfter(GeneratorCase c) {
    server.on(c.path(), FakeOpenAi.Reply.json(429,
            OpenAiReplies.error("requests", "rate_limit_exceeded", "Rate limit reached for requests"))
        .withHeader("retry-after", "7"));

    assertThatThrownBy(() -> c.run(openai, new TestContext(c.type())))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.resource()).isEqualTo("openai:" + c.model());
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
          assertThat(e.code()).isEqualTo("rate_limited");
        })
        .hasMessage("OpenAI rate limit reached for " + c.what() + " (429 rate_limit_exceeded): Rate limit reached for "
            + "requests; retrying openai:" + c.model() + " after 7000 ms (retry-after)");
    assertThat(server.pending()).hasSize(1); // maxRetries(0): the SDK did not retry on its own
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aRateLimitWithOnlyOpenAisResetHeadersWaitsForTheLimitThatRefused(GeneratorCase c) {
    server.on(c.path(), FakeOpenAi.Reply.tooManyRequests()
        .withRateLimits(new FakeOpenAi.RateLimits(500, 0, "6m0s", 30_000, 29_000, "1.5s")));

    assertThatThrownBy(() -> c.run(openai, new TestContext(c.type())))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.resource()).isEqualTo("openai:" + c.model());
          assertThat(e.retryAfter()).isEqualTo(Duration.ofMinutes(6)); // requests ran out: 0 left
        })
        .hasMessageEndingWith("after 360000 ms (x-ratelimit-reset-requests)");
  }

  @Test
  void aRateLimitWithHeadersThatMakeNoSenseWaitsTheDefault() {
    server.on("/v1/images/generations", FakeOpenAi.Reply.tooManyRequests()
        .withHeader("retry-after-ms", "-1").withHeader("retry-after", "later")
        .withHeader("x-ratelimit-reset-requests", "1x").withHeader("x-ratelimit-reset-tokens", "NaN"));

    assertThatThrownBy(() -> openai.image().generate(ImageGenerationPayload.of("a kite"), new TestContext("image_generation")))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.resource()).isEqualTo("openai:dall-e-3");
          assertThat(e.retryAfter()).isEqualTo(OpenAiGenerators.DEFAULT_RATE_LIMIT_WAIT).isEqualTo(Duration.ofSeconds(5));
        })
        .hasMessageEndingWith("after 5000 ms (default)");
  }

  @Test
  void aRateLimitNamesTheConfiguredModelsResource() {
    openai.close();
    openai = OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).graphicModel("dall-e-2")
        .simulationModel("gpt-4.1-mini").build();
    server.on("/v1/images/generations", FakeOpenAi.Reply.rateLimited(Duration.ofMillis(250)));
    server.on("/v1/chat/completions", FakeOpenAi.Reply.rateLimited(Duration.ofMillis(250)));

    assertThatThrownBy(() -> openai.graphic().generate(GraphicGenerationPayload.of("a fox", "icon"), new TestContext("graphic_generation")))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.resource()).isEqualTo("openai:dall-e-2");
          assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(250));
        });
    assertThatThrownBy(() -> openai.music().generate(MusicGenerationPayload.of("a lullaby"), new TestContext("music_generation")))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> assertThat(e.resource()).isEqualTo("openai:gpt-4.1-mini"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aContentPolicyRefusalIsPermanentWithAClearMessage(GeneratorCase c) {
    server.on(c.path(), FakeOpenAi.Reply.json(400, OpenAiReplies.error("invalid_request_error", "content_policy_violation",
        "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.")));

    assertThatThrownBy(() -> c.run(openai, new TestContext(c.type())))
        .isInstanceOf(PermanentGenerationException.class)
        .hasMessage("OpenAI refused the prompt under its content policy (400 content_policy_violation): Your request was "
            + "rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety "
            + "system.. Rephrase the prompt and create a new job");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aServerErrorIsRetryable(GeneratorCase c) {
    server.on(c.path(), FakeOpenAi.Reply.json(500, OpenAiReplies.error("server_error", null,
        "The server had an error while processing your request. Sorry about that!")));

    assertThatThrownBy(() -> c.run(openai, new TestContext(c.type())))
        .isInstanceOfSatisfying(RetryableGenerationException.class, e -> assertThat(e.retryAfter()).isNull())
        .hasMessage("OpenAI failed on " + c.what() + " (500): The server had an error while processing your request. "
            + "Sorry about that!; another attempt may succeed");
    assertThat(server.pending()).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aBodyThatIsNotJsonIsPermanentAndSaysWhatWasWrong(GeneratorCase c) {
    server.on(c.path(), FakeOpenAi.Reply.json(200, "<html><body>502 Bad Gateway</body></html>"));

    assertThatThrownBy(() -> c.run(openai, new TestContext(c.type())))
        .isInstanceOf(PermanentGenerationException.class)
        .hasMessageStartingWith("OpenAI returned a malformed response to " + c.what() + ": Error reading response")
        .hasMessageContaining("Unexpected character ('<'");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aReplyMissingItsFieldsIsPermanentAndNamesThem(GeneratorCase c) {
    server.on(c.path(), FakeOpenAi.Reply.json(200, "{\"created\":1713833628,\"data\":[]}"));

    assertThatThrownBy(() -> c.run(openai, new TestContext(c.type())))
        .isInstanceOf(PermanentGenerationException.class)
        .hasMessageStartingWith("OpenAI returned a malformed response to " + c.what() + ": ")
        .hasMessageMatching(".*(no images|`id` is not set|`choices` is not set).*");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aTimeoutIsRetryable(GeneratorCase c) {
    openai.close();
    openai = client(Duration.ofMillis(300));
    server.on(c.path(), FakeOpenAi.Reply.json(200, c.goodReply()).held());

    assertThatThrownBy(() -> c.run(openai, new TestContext(c.type())))
        .isInstanceOf(RetryableGenerationException.class)
        .hasMessage("OpenAI did not answer the " + c.what()
            + " request within 300 ms (timeout, openai.timeout); another attempt may succeed");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void cancellingTheJobAbortsTheCallInFlight(GeneratorCase c) throws Exception {
    server.on(c.path(), FakeOpenAi.Reply.json(200, c.goodReply()).held());
    TestContext context = new TestContext(c.type());
    Future<Object> attempt = threads.submit(() -> c.run(openai, context));
    server.take(); // the request is at the server, which holds its reply for 30 s

    context.cancel();

    // The context is only polled: within a few poll periods the call is aborted, not left to time out.
    assertThatThrownBy(() -> attempt.get(3, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(JobCancelledException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void anInterruptedAttemptAbortsTheCallAndKeepsTheInterrupt(GeneratorCase c) throws Exception {
    server.on(c.path(), FakeOpenAi.Reply.json(200, c.goodReply()).held());
    AtomicBoolean interruptKept = new AtomicBoolean();
    CompletableFuture<Thread> worker = new CompletableFuture<>();
    Future<Throwable> attempt = threads.submit(() -> {
      worker.complete(Thread.currentThread());
      try {
        c.run(openai, new TestContext(c.type()));
        return null;
      } catch (RuntimeException e) {
        interruptKept.set(Thread.currentThread().isInterrupted());
        return e;
      }
    });
    server.take();

    worker.get(5, TimeUnit.SECONDS).interrupt(); // what the worker does on timeout, shutdown or cancel

    assertThat(attempt.get(3, TimeUnit.SECONDS))
        .isInstanceOf(RetryableGenerationException.class)
        .hasMessageContaining("the OpenAI call was aborted");
    assertThat(interruptKept).isTrue();
  }

  @Test
  void anInterruptOfACancelledJobIsACancellation() throws Exception {
    GeneratorCase c = GeneratorCase.all().get(0);
    server.on(c.path(), FakeOpenAi.Reply.json(200, c.goodReply()).held());
    TestContext context = new TestContext(c.type());
    CompletableFuture<Thread> worker = new CompletableFuture<>();
    Future<Object> attempt = threads.submit(() -> {
      worker.complete(Thread.currentThread());
      return c.run(openai, context);
    });
    server.take();

    context.cancel();
    worker.get(5, TimeUnit.SECONDS).interrupt();

    assertThatThrownBy(() -> attempt.get(3, TimeUnit.SECONDS)).cause().isInstanceOf(JobCancelledException.class);
  }

  @Test
  void cancellingOneOfSeveralConcurrentCallsAbortsOnlyThatOne() throws Exception {
    int n = 4;
    List<TestContext> contexts = new java.util.ArrayList<>();
    List<Future<Object>> attempts = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "text " + i)).held());
    }
    for (int i = 0; i < n; i++) {
      TestContext context = new TestContext("text_generation");
      contexts.add(context);
      attempts.add(threads.submit(() -> openai.text().generate(TextGenerationPayload.of("p"), context)));
    }
    for (int i = 0; i < n; i++) {
      server.take(); // all four are in flight at once, on one shared client
    }

    contexts.get(1).cancel();

    assertThatThrownBy(() -> attempts.get(1).get(3, TimeUnit.SECONDS)).cause().isInstanceOf(JobCancelledException.class);
    assertThat(List.of(attempts.get(0), attempts.get(2), attempts.get(3))).noneMatch(Future::isDone);
    server.release();
    for (int i : new int[] {0, 2, 3}) {
      assertThat(attempts.get(i).get(10, TimeUnit.SECONDS)).isInstanceOf(TextGenerationResult.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "401 | invalid_api_key | Incorrect API key provided: sk-test. | OpenAI rejected the API key (401 invalid_api_key): Incorrect API key provided: sk-test.. Check the openai.apiKey setting or the OPENAI_API_KEY environment variable",
    "403 | unsupported_country_region_territory | Country, region, or territory not supported | OpenAI refused access to image generation with model 'dall-e-3' (403 unsupported_country_region_territory): Country, region, or territory not supported. The key's organization or project may lack access to this model, or the region is not supported",
    "404 | model_not_found | The model `dall-e-9` does not exist. | OpenAI has no model or endpoint for image generation (404 model_not_found): The model `dall-e-9` does not exist.. Check the model name 'dall-e-3' (openai.imageModel) and openai.baseUrl",
    "400 | invalid_size | The size is not supported. | OpenAI rejected the image generation request (400 invalid_size): The size is not supported.",
    "429 | insufficient_quota | You exceeded your current quota. | OpenAI refused image generation (429 insufficient_quota): You exceeded your current quota.. The account has run out of credit; check the plan and billing of the API key's organization",
  })
  void clientErrorsArePermanentWithAdvice(int status, String code, String apiMessage, String expected) {
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(status, OpenAiReplies.error("invalid_request_error", code, apiMessage)));

    assertThatThrownBy(() -> openai.image().generate(ImageGenerationPayload.of("a kite"), new TestContext("image_generation")))
        .isInstanceOf(PermanentGenerationException.class)
        .hasMessageStartingWith(expected);
  }

  @Test
  void retryAfterMsIsPreferredAndServerErrorsHonourRetryAfterToo() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(429, OpenAiReplies.error("tokens", "rate_limit_exceeded", "slow down"))
        .withHeader("retry-after-ms", "1500").withHeader("retry-after", "2"));
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(503, OpenAiReplies.error("server_error", null, "overloaded"))
        .withHeader("retry-after", "3"));

    assertThatThrownBy(() -> openai.text().generate(TextGenerationPayload.of("x"), new TestContext("text_generation")))
        .isInstanceOfSatisfying(RateLimitedException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(1500)));
    assertThatThrownBy(() -> openai.text().generate(TextGenerationPayload.of("x"), new TestContext("text_generation")))
        .isInstanceOfSatisfying(RetryableGenerationException.class, e -> {
          assertThat(e).isNotInstanceOf(RateLimitedException.class); // a 503 pauses nothing
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        });
  }

  @Test
  void anUnreachableServerIsRetryableAndNamesTheUrl() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    openai.close();
    openai = OpenAiGenerators.builder().apiKey("sk-test").baseUrl("http://127.0.0.1:" + closedPort + "/v1").build();

    assertThatThrownBy(() -> openai.text().generate(TextGenerationPayload.of("x"), new TestContext("text_generation")))
        .isInstanceOf(RetryableGenerationException.class)
        .hasMessageStartingWith("could not reach OpenAI at http://127.0.0.1:" + closedPort + "/v1 for text generation: ");
  }

  @Test
  void aJobCancelledBeforeTheCallSendsNothing() {
    TestContext context = new TestContext("text_generation");
    context.cancel();

    assertThatThrownBy(() -> openai.text().generate(TextGenerationPayload.of("x"), context))
        .isInstanceOf(JobCancelledException.class);
    assertThat(server.pending()).isEmpty();
  }
}
