package dev.asyncjobs.testing.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stub answers the real openai-java client in the shapes its validation accepts. */
class FakeOpenAiTest {
  private final FakeOpenAi server = FakeOpenAi.start();
  private final OpenAIClient client = OpenAIOkHttpClient.builder()
      .apiKey("sk-test").baseUrl(server.baseUrl()).maxRetries(0).timeout(Duration.ofSeconds(10)).responseValidation(true)
      .build();

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private static ChatCompletionCreateParams question() {
    return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("What is a queue?").build();
  }

  @Test
  void aScriptedChatCompletionReachesTheClientAndTheRequestIsRecorded() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "A line of work.")));

    ChatCompletion reply = client.chat().completions().create(question());

    assertThat(reply.choices().get(0).message().content()).hasValue("A line of work.");
    FakeOpenAi.Request request = server.take();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.header("authorization")).isEqualTo("Bearer sk-test");
    assertThat(request.json().get("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(request.json().get("messages").get(0).get("content").asText()).isEqualTo("What is a queue?");
    assertThat(server.pending()).isEmpty();
    assertThat(server.requests("/v1/chat/completions")).hasSize(1);
  }

  @Test
  void queuedRepliesGoFirstThenTheHandlerAnswersEveryFurtherRequest() {
    server.on("/v1/moderations", FakeOpenAi.Reply.json(200, OpenAiReplies.moderation(1, Set.of("violence"))));
    server.onEvery("/v1/moderations", r -> FakeOpenAi.Reply.json(200, OpenAiReplies.moderation(List.of(Set.of(), Set.of("hate")))));
    ModerationCreateParams one = ModerationCreateParams.builder().input("first").build();

    ModerationCreateResponse first = client.moderations().create(one);
    ModerationCreateResponse second = client.moderations().create(one);
    ModerationCreateResponse third = client.moderations().create(one);

    assertThat(first.results().get(0).flagged()).isTrue();
    assertThat(first.results().get(0).categories().violence()).isTrue();
    assertThat(second.results()).extracting(r -> r.flagged()).containsExactly(false, true);
    assertThat(third.results().get(1).categories().hate()).isTrue();
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void errorsAndRateLimitsReachTheClientAsOpenAiSendsThem() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.rateLimited(Duration.ofMillis(1500)));

    assertThatThrownBy(() -> client.chat().completions().create(question()))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(429);
          assertThat(e.headers().values("retry-after-ms")).containsExactly("1500");
          assertThat(e.headers().values("retry-after")).containsExactly("2");
          assertThat(e.code()).hasValue("rate_limit_exceeded");
        });
    // nothing scripted: a 500 that says so
    assertThatThrownBy(() -> client.chat().completions().create(question()))
        .isInstanceOf(InternalServerException.class).hasMessageContaining("no reply scripted for /v1/chat/completions");
  }

  @Test
  void aRateLimitCarriesTheHeadersItIsGivenAndEveryAnswerIsRecordedWithItsTime() {
    server.on("/v1/images/generations", FakeOpenAi.Reply.tooManyRequests().withHeader("Retry-After", "2")
        .withRateLimits(new FakeOpenAi.RateLimits(50, 0, "1.2s", 150_000, 149_000, "6m0s")));
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://x/1.png", "r")));
    com.openai.models.images.ImageGenerateParams params =
        com.openai.models.images.ImageGenerateParams.builder().model("dall-e-3").prompt("a kite").build();
    long before = System.nanoTime();

    assertThatThrownBy(() -> client.images().generate(params))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.headers().values("retry-after")).containsExactly("2");
          assertThat(e.headers().values("retry-after-ms")).isEmpty();
          assertThat(e.headers().values("x-ratelimit-limit-requests")).containsExactly("50");
          assertThat(e.headers().values("x-ratelimit-remaining-requests")).containsExactly("0");
          assertThat(e.headers().values("x-ratelimit-reset-requests")).containsExactly("1.2s");
          assertThat(e.headers().values("x-ratelimit-limit-tokens")).containsExactly("150000");
          assertThat(e.headers().values("x-ratelimit-remaining-tokens")).containsExactly("149000");
          assertThat(e.headers().values("x-ratelimit-reset-tokens")).containsExactly("6m0s");
          assertThat(e.code()).hasValue("rate_limit_exceeded");
        });
    client.images().generate(params);

    List<FakeOpenAi.Answer> answers = server.answers("/v1/images/generations");
    assertThat(answers).extracting(FakeOpenAi.Answer::status).containsExactly(429, 200);
    FakeOpenAi.Answer refused = answers.get(0);
    assertThat(refused.request().receivedNanos()).isGreaterThanOrEqualTo(before);
    assertThat(refused.sentNanos()).isGreaterThanOrEqualTo(refused.request().receivedNanos());
    assertThat(answers.get(1).request().receivedNanos()).isGreaterThan(refused.sentNanos());
    assertThat(server.answers()).isEqualTo(answers);
    // The second request came right after the 429: inside a window of an hour, outside one of 0 s.
    assertThat(server.requestsWithin("/v1/images/generations", refused.sentNanos(), Duration.ofHours(1)))
        .containsExactly(answers.get(1).request());
    assertThat(server.requestsWithin("/v1/images/generations", refused.sentNanos(), Duration.ZERO)).isEmpty();
    assertThat(server.requestsWithin("/v1/chat/completions", refused.sentNanos(), Duration.ofHours(1))).isEmpty();
  }

  @Test
  void aChatReplyCountsItsTokensAsOpenAiDoesOrNoneWithoutUsage() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200,
        OpenAiReplies.chat("gpt-4o-mini-2024-07-18", "A line of work.", 812, 240)));
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200,
        OpenAiReplies.withoutUsage(OpenAiReplies.chat("gpt-4o-mini", "A line of work."))));

    ChatCompletion counted = client.chat().completions().create(question());
    ChatCompletion uncounted = client.chat().completions().create(question());

    assertThat(counted.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    CompletionUsage usage = counted.usage().orElseThrow();
    assertThat(usage.promptTokens()).isEqualTo(812);
    assertThat(usage.completionTokens()).isEqualTo(240);
    assertThat(usage.totalTokens()).isEqualTo(1052);
    assertThat(usage.promptTokensDetails().flatMap(CompletionUsage.PromptTokensDetails::cachedTokens)).hasValue(0L);
    assertThat(uncounted.usage()).isEmpty();
  }

  @Test
  void aStreamEndsWithItsUsageChunkOnlyWhenTheRequestAsksForIt() {
    List<String> chunks = OpenAiReplies.chatChunks("gpt-4o-mini-2024-07-18", List.of("A ", "line."), "stop", 19, 2);
    server.on("/v1/chat/completions", FakeOpenAi.Reply.stream(chunks, Duration.ZERO));
    server.on("/v1/chat/completions", FakeOpenAi.Reply.stream(chunks, Duration.ZERO));
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "A line.", 7, 3)));
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200,
        OpenAiReplies.withoutUsage(OpenAiReplies.chat("gpt-4o-mini", "A line."))));
    ChatCompletionCreateParams asking = ChatCompletionCreateParams.builder().model("gpt-4o-mini")
        .addUserMessage("What is a queue?").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();

    assertThat(streamedUsage(asking)).hasValueSatisfying(u -> {
      assertThat(u.promptTokens()).isEqualTo(19);
      assertThat(u.completionTokens()).isEqualTo(2);
    });
    assertThat(streamedUsage(question())).as("not asked for").isEmpty();
    assertThat(streamedUsage(asking)).as("a plain reply, streamed").hasValueSatisfying(u -> {
      assertThat(u.promptTokens()).isEqualTo(7);
      assertThat(u.totalTokens()).isEqualTo(10);
    });
    assertThat(streamedUsage(asking)).as("a reply without usage, streamed").isEmpty();
  }

  private Optional<CompletionUsage> streamedUsage(ChatCompletionCreateParams params) {
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    return accumulator.chatCompletion().usage();
  }

  @Test
  void aGptImageReplyCountsItsTokens() {
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.gptImage(OpenAiReplies.png(), 50, 4160)));

    ImagesResponse reply = client.images().generate(ImageGenerateParams.builder().model("gpt-image-1").prompt("a kite").build());

    assertThat(Base64.getDecoder().decode(reply.data().orElseThrow().get(0).b64Json().orElseThrow())).isEqualTo(OpenAiReplies.png());
    ImagesResponse.Usage usage = reply.usage().orElseThrow();
    assertThat(usage.inputTokens()).isEqualTo(50);
    assertThat(usage.inputTokensDetails().textTokens()).isEqualTo(50);
    assertThat(usage.outputTokens()).isEqualTo(4160);
    assertThat(usage.totalTokens()).isEqualTo(4210);
    assertThatThrownBy(() -> OpenAiReplies.withoutUsage(OpenAiReplies.imageB64(OpenAiReplies.png())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aHeldReplyWaitsForRelease() throws Exception {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "late")).held());
    var call = client.async().chat().completions().create(question());

    server.take();
    Thread.sleep(100);
    assertThat(call).isNotDone();
    server.release();

    assertThat(call.get().choices().get(0).message().content()).hasValue("late");
  }
}
