package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code text_generation}: the messages built from kind, tone, audience and length, and the result. */
class TextGenerationTest {
  private final FakeOpenAi server = FakeOpenAi.start();
  private final OpenAiGenerators openai =
      OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).textModel("gpt-4o-mini").build();

  @AfterEach
  void stop() {
    openai.close();
    server.close();
  }

  @Test
  void buildsTheSystemMessageFromKindToneAudienceAndLength() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini-2024-07-18",
        "Subject: Our spring sale\n\nHi Ana, ...")));
    TestContext context = new TestContext("text_generation");

    TextGenerationResult result = (TextGenerationResult) openai.text().generate(
        new TextGenerationPayload("announce our spring sale", "email", "friendly", "loyal customers of a bike shop", "short"),
        context);

    JsonNode body = server.take().json();
    assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(400);
    assertThat(body.path("safety_identifier").asText()).hasSize(32);
    JsonNode messages = body.path("messages");
    assertThat(messages).hasSize(2);
    assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
    assertThat(messages.get(0).path("content").asText()).isEqualTo(
        "You are a skilled professional writer. Write an email with a subject line, a greeting, a clear body and a "
            + "sign-off. Use a friendly tone. Write for this audience: loyal customers of a bike shop. Aim for about 100 "
            + "words. Reply with the finished text only, without preamble or commentary.");
    assertThat(messages.get(1).path("role").asText()).isEqualTo("user");
    assertThat(messages.get(1).path("content").asText()).isEqualTo("announce our spring sale");

    assertThat(result.text()).isEqualTo("Subject: Our spring sale\n\nHi Ana, ...");
    assertThat(result.kind()).isEqualTo("email");
    assertThat(result.tone()).isEqualTo("friendly");
    assertThat(result.length()).isEqualTo("short");
    assertThat(result.audience()).isEqualTo("loyal customers of a bike shop");
    assertThat(result.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(result.finishReason()).isEqualTo("stop");
    assertThat(result.truncated()).isFalse();
    assertThat(result.usage()).isEqualTo(new TokenUsage(19, 10, 29));
    assertThat(context.messages())
        .containsExactly("5 validated", "10 request sent to OpenAI (gpt-4o-mini)", "70 response received", "95 post-processed");
  }

  @Test
  void theTextStreamsToTheJobsReadersAsItArrivesAndTheResultIsTheWholeOfIt() {
    List<String> deltas = List.of("Trees ", "cool ", "streets ", "and ", "clean ", "the ", "air.");
    server.on("/v1/chat/completions",
        FakeOpenAi.Reply.stream(OpenAiReplies.chatChunks("gpt-4o-mini-2024-07-18", deltas, "stop"), Duration.ZERO));
    TestContext context = new TestContext("text_generation");

    TextGenerationResult result = (TextGenerationResult) openai.text().generate(
        TextGenerationPayload.of("why cities plant trees"), context);

    JsonNode body = server.take().json();
    assertThat(body.path("stream").asBoolean()).as("a streaming request").isTrue();
    assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(context.streamedText()).isEqualTo("Trees cool streets and clean the air.");
    assertThat(result.text()).isEqualTo(context.streamedText());
    assertThat(result.finishReason()).isEqualTo("stop");
    assertThat(result.usage()).as("from the stream's last chunk").isEqualTo(new TokenUsage(19, 7, 26));
  }

  @Test
  void cancellingAStreamingJobClosesTheProvidersStreamWithinASecond() throws Exception {
    List<String> deltas = java.util.Collections.nCopies(200, "word ");
    server.on("/v1/chat/completions",
        FakeOpenAi.Reply.stream(OpenAiReplies.chatChunks("gpt-4o-mini", deltas, "stop"), Duration.ofMillis(20)));
    TestContext context = new TestContext("text_generation");
    java.util.concurrent.ExecutorService job = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<Object> running =
          job.submit(() -> openai.text().generate(TextGenerationPayload.of("a long essay"), context));
      dev.asyncjobs.testing.Waits.until("the first words to stream", Duration.ofSeconds(10),
          () -> !context.streamedText().isEmpty());

      long cancelledAt = System.nanoTime();
      context.cancel();
      long gone = server.awaitDisconnect(Duration.ofSeconds(5));

      assertThat(Duration.ofNanos(gone - cancelledAt)).as("the provider saw the client leave").isLessThan(Duration.ofSeconds(1));
      assertThatThrownBy(() -> running.get(10, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(dev.asyncjobs.JobCancelledException.class);
      assertThat(context.streamedText().length()).as("cut off mid-stream").isLessThan(deltas.size() * 5);
    } finally {
      job.shutdownNow();
    }
  }

  @Test
  void defaultsToAMediumNeutralArticle() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "An article.")));

    TextGenerationResult result = (TextGenerationResult) openai.text().generate(
        TextGenerationPayload.of("why cities plant trees"), new TestContext("text_generation"));

    JsonNode body = server.take().json();
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(1000);
    assertThat(body.path("messages").get(0).path("content").asText())
        .startsWith("You are a skilled professional writer. Write a well-structured article")
        .doesNotContain("tone")
        .doesNotContain("audience")
        .contains("about 300 words");
    assertThat(result.kind()).isEqualTo("article");
    assertThat(result.tone()).isEqualTo("neutral");
    assertThat(result.length()).isEqualTo("medium");
    assertThat(result.audience()).isNull();
  }

  @Test
  void aReplyCutOffAtTheLimitIsKeptAndMarkedTruncated() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "It began", "length", null)));

    TextGenerationResult result = (TextGenerationResult) openai.text().generate(
        new TextGenerationPayload("a saga", "story", null, null, "long"), new TestContext("text_generation"));

    assertThat(server.take().json().path("max_completion_tokens").asInt()).isEqualTo(2500);
    assertThat(result.truncated()).isTrue();
    assertThat(result.finishReason()).isEqualTo("length");
  }

  @Test
  void aRefusalIsPermanentAndQuotesTheModel() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200,
        OpenAiReplies.chat("gpt-4o-mini", null, "stop", "I'm sorry, I can't help with that.")));

    assertThatThrownBy(() -> openai.text().generate(TextGenerationPayload.of("something"), new TestContext("text_generation")))
        .isInstanceOf(PermanentGenerationException.class)
        .hasMessage("the model refused the text (\"I'm sorry, I can't help with that.\"). Rephrase the prompt and create a new job");
  }

  @Test
  void aContentFilterStopIsPermanent() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "", "content_filter", null)));

    assertThatThrownBy(() -> openai.text().generate(TextGenerationPayload.of("something"), new TestContext("text_generation")))
        .isInstanceOf(PermanentGenerationException.class)
        .hasMessageContaining("content filter");
  }

  @Test
  void anEmptyMessageIsMalformed() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("gpt-4o-mini", "  ", "stop", null)));

    assertThatThrownBy(() -> openai.text().generate(TextGenerationPayload.of("something"), new TestContext("text_generation")))
        .isInstanceOf(PermanentGenerationException.class)
        .hasMessage("OpenAI returned a malformed response to text generation: the reply's message has no content");
  }

  @Test
  void moderatesThePromptAndTheAudience() {
    assertThat(openai.text().moderationText(new TextGenerationPayload("p", null, null, "a", null))).containsExactly("p", "a");
    assertThat(openai.text().moderationText(TextGenerationPayload.of("p"))).containsExactly("p");
  }

  @Test
  void estimatesByLength() {
    assertThat(openai.text().estimate(new TextGenerationPayload("p", null, null, null, "long")))
        .isGreaterThan(openai.text().estimate(new TextGenerationPayload("p", null, null, null, "short")));
    assertThat(openai.text().estimate(TextGenerationPayload.of("p"))).isEqualTo(Duration.ofSeconds(10));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "unknown kind | poem | | | | payload.kind | payload.kind must be one of article, blog_post, email, social_post, product_description, summary, ad_copy, story, was 'poem'",
    "unknown tone | | angry | | | payload.tone | payload.tone must be one of neutral, professional, friendly, casual, formal, persuasive, humorous, enthusiastic, empathetic, was 'angry'",
    "unknown length | | | | epic | payload.length | payload.length must be one of short, medium, long, was 'epic'",
  })
  void refusesBadChoicesListingTheAllowedValues(
      String name, String kind, String tone, String audience, String length, String field, String message) {
    assertThatThrownBy(() -> openai.text().validate(new TextGenerationPayload("p", kind, tone, audience, length)))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessage(message);
  }

  @Test
  void refusesLongPromptsAndAudiences() {
    assertThatThrownBy(() -> openai.text().validate(TextGenerationPayload.of("x".repeat(8001))))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo("payload.prompt"))
        .hasMessage("payload.prompt must be at most 8000 characters, was 8001");
    assertThatThrownBy(() -> openai.text().validate(new TextGenerationPayload("p", null, null, "a".repeat(201), null)))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo("payload.audience"))
        .hasMessage("payload.audience must be at most 200 characters, was 201");
  }

  @Test
  void kindsMatchLooselyAsUsersWriteThem() {
    openai.text().validate(new TextGenerationPayload("p", "Social post", "Professional", null, "SHORT"));
    openai.text().validate(new TextGenerationPayload("p", "product-description", null, null, null));
  }
}
