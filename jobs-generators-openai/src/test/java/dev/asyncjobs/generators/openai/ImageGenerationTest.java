package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code image_generation}: the request sent for each style, size and quality, and the result. */
class ImageGenerationTest {
  private final FakeOpenAi server = FakeOpenAi.start();
  private OpenAiGenerators openai;

  @AfterEach
  void stop() {
    if (openai != null) {
      openai.close();
    }
    server.close();
  }

  private OpenAiGenerators.Builder builder() {
    return OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).timeout(Duration.ofSeconds(10));
  }

  @Test
  void sendsTheStyledPromptAndReturnsTheImage() {
    openai = builder().build();
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200,
        OpenAiReplies.imageUrl("https://oaidalleapiprodscus.blob.core.windows.net/private/img-1.png", "A lighthouse at dusk, revised")));
    TestContext context = new TestContext("image_generation");

    ImageGenerationResult result = (ImageGenerationResult) openai.image().generate(
        new ImageGenerationPayload("a lighthouse at dusk", "watercolor", "wide", "hd"), context);

    FakeOpenAi.Request sent = server.take();
    assertThat(sent.path()).isEqualTo("/v1/images/generations");
    assertThat(sent.header("Authorization")).isEqualTo("Bearer sk-test");
    JsonNode body = sent.json();
    assertThat(body.path("model").asText()).isEqualTo("dall-e-3");
    assertThat(body.path("prompt").asText()).isEqualTo("A soft watercolor painting on textured paper: a lighthouse at dusk");
    assertThat(body.path("size").asText()).isEqualTo("1792x1024");
    assertThat(body.path("quality").asText()).isEqualTo("hd");
    assertThat(body.path("style").asText()).isEqualTo("natural");
    assertThat(body.path("response_format").asText()).isEqualTo("url");
    assertThat(body.path("n").asInt()).isEqualTo(1);
    assertThat(body.path("safety_identifier").asText()).hasSize(32).doesNotContain("owner");
    assertThat(context.parts()).as("the image streamed as a part").containsExactlyElementsOf(result.images());

    assertThat(result.model()).isEqualTo("dall-e-3");
    assertThat(result.style()).isEqualTo("watercolor");
    assertThat(result.requestedSize()).isEqualTo("wide");
    assertThat(result.size()).isEqualTo("1792x1024");
    assertThat(result.quality()).isEqualTo("hd");
    assertThat(result.images()).singleElement().satisfies(image -> {
      assertThat(image.url()).isEqualTo("https://oaidalleapiprodscus.blob.core.windows.net/private/img-1.png");
      assertThat(image.revisedPrompt()).isEqualTo("A lighthouse at dusk, revised");
      assertThat(image.stored()).isNull();
    });
    assertThat(context.messages())
        .containsExactly("5 validated", "10 request sent to OpenAI (dall-e-3)", "70 response received", "95 post-processed");
  }

  @Test
  void withoutAStyleThePromptIsSentAsWrittenWithNoStyleParameter() {
    openai = builder().build();
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://x/1.png", "r")));

    ImageGenerationResult result = (ImageGenerationResult) openai.image().generate(
        ImageGenerationPayload.of("a red bicycle"), new TestContext("image_generation"));

    JsonNode body = server.take().json();
    assertThat(body.path("prompt").asText()).isEqualTo("a red bicycle");
    assertThat(body.has("style")).isFalse();
    assertThat(body.path("size").asText()).isEqualTo("1024x1024");
    assertThat(body.path("quality").asText()).isEqualTo("standard");
    assertThat(result.style()).isNull();
    assertThat(result.prompt()).isEqualTo("a red bicycle");
  }

  @ParameterizedTest(name = "{0} asks {1} on {2} -> {3}")
  @CsvSource({
    "standard, standard, dall-e-3, 1024x1024",
    "wide, wide, dall-e-3, 1792x1024",
    "tall, tall, dall-e-3, 1024x1792",
    "banner, 1200x628, dall-e-3, 1792x1024",
    "portrait photo, 600x900, dall-e-3, 1024x1792",
    "near-square, 1000x1100, dall-e-3, 1024x1024",
    "wide on dall-e-2, wide, dall-e-2, 1024x1024",
    "small square on dall-e-2, 300x300, dall-e-2, 256x256",
    "wide on gpt-image-1, wide, gpt-image-1, 1536x1024",
  })
  void mapsTheRequestedSizeToTheNearestTheModelMakes(String name, String requested, String model, String sent, @TempDir Path dir) {
    openai = builder().imageModel(model).artifactStore(LocalDirectoryArtifactStore.of(dir)).imageTransfer(ImageTransfer.FETCH_URL).build();
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageB64(OpenAiReplies.png())));

    ImageGenerationResult result = (ImageGenerationResult) openai.image().generate(
        new ImageGenerationPayload("a kite", null, requested, null), new TestContext("image_generation"));

    assertThat(server.take().json().path("size").asText()).isEqualTo(sent);
    assertThat(result.size()).isEqualTo(sent);
    assertThat(result.requestedSize()).isEqualTo(requested);
  }

  @Test
  void gptImageModelsGetTheirOwnQualityNoStyleOrFormatAndTheBytesAreStored(@TempDir Path dir) throws Exception {
    openai = builder().imageModel("gpt-image-1").artifactStore(LocalDirectoryArtifactStore.of(dir)).build();
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageB64(OpenAiReplies.png())));
    TestContext context = new TestContext("image_generation");

    ImageGenerationResult result = (ImageGenerationResult) openai.image().generate(
        new ImageGenerationPayload("a kite", "cartoon", "standard", "hd"), context);

    JsonNode body = server.take().json();
    assertThat(body.path("model").asText()).isEqualTo("gpt-image-1");
    assertThat(body.path("quality").asText()).isEqualTo("high");
    assertThat(body.has("style")).isFalse();
    assertThat(body.has("response_format")).isFalse();
    assertThat(body.path("prompt").asText()).startsWith("A colorful cartoon illustration");
    StoredArtifact stored = result.images().get(0).stored();
    assertThat(stored).isNotNull();
    assertThat(stored.contentType()).isEqualTo("image/png");
    assertThat(stored.sizeBytes()).isEqualTo(OpenAiReplies.png().length);
    Path file = Path.of(URI.create(stored.location()));
    assertThat(file).isEqualTo(dir.resolve(context.jobId().toString()).resolve("image-1.png"));
    assertThat(Files.readAllBytes(file)).isEqualTo(OpenAiReplies.png());
    assertThat(stored.sha256()).isEqualTo(HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(OpenAiReplies.png())));
    assertThat(context.messages()).contains("90 stored image 1 of 1");
  }

  @Test
  void withAStoreDallE3IsAskedForBase64(@TempDir Path dir) {
    openai = builder().artifactStore(LocalDirectoryArtifactStore.of(dir)).build();
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageB64(OpenAiReplies.png())));

    ImageGenerationResult result = (ImageGenerationResult) openai.image().generate(
        ImageGenerationPayload.of("a kite"), new TestContext("image_generation"));

    assertThat(server.take().json().path("response_format").asText()).isEqualTo("b64_json");
    assertThat(result.images().get(0).url()).isNull();
    assertThat(result.images().get(0).stored()).isNotNull();
  }

  @Test
  void fetchUrlDownloadsTheImageAndKeepsBothLocations(@TempDir Path dir) throws Exception {
    // The fake server is plain http on 127.0.0.1, which the production defaults refuse.
    openai = builder().artifactStore(LocalDirectoryArtifactStore.of(dir).withPublicBaseUrl("https://cdn.example.com/art/"))
        .imageTransfer(ImageTransfer.FETCH_URL).imageAllowHttp(true).imageAllowPrivateAddresses(true).build();
    String imageUrl = server.url("/files/img-1.png");
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl(imageUrl, "revised")));
    server.on("/files/img-1.png", FakeOpenAi.Reply.bytes(OpenAiReplies.png(), "image/png"));
    TestContext context = new TestContext("image_generation");

    ImageGenerationResult result = (ImageGenerationResult) openai.image().generate(ImageGenerationPayload.of("a kite"), context);

    assertThat(server.take().json().path("response_format").asText()).isEqualTo("url");
    assertThat(server.take().path()).isEqualTo("/files/img-1.png");
    GeneratedImage image = result.images().get(0);
    assertThat(image.url()).isEqualTo(imageUrl);
    assertThat(image.stored().location()).isEqualTo("https://cdn.example.com/art/" + context.jobId() + "/image-1.png");
    assertThat(Files.readAllBytes(dir.resolve(context.jobId().toString()).resolve("image-1.png"))).isEqualTo(OpenAiReplies.png());
  }

  @Test
  void anExpiredImageUrlIsRetryable(@TempDir Path dir) {
    openai = builder().artifactStore(LocalDirectoryArtifactStore.of(dir)).imageTransfer(ImageTransfer.FETCH_URL)
        .imageAllowHttp(true).imageAllowPrivateAddresses(true).build();
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl(server.url("/files/gone.png"), "r")));
    server.on("/files/gone.png", FakeOpenAi.Reply.json(403, "<Error>AuthenticationFailed</Error>"));

    assertThatThrownBy(() -> openai.image().generate(ImageGenerationPayload.of("a kite"), new TestContext("image_generation")))
        .isInstanceOf(dev.asyncjobs.RetryableGenerationException.class)
        .hasMessageContaining("could not download the generated image")
        .hasMessageContaining("HTTP 403");
  }

  @Test
  void bytesWithoutAStoreArePermanentAndSaySoWhatToConfigure() {
    openai = builder().build();
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageB64(OpenAiReplies.png())));

    assertThatThrownBy(() -> openai.image().generate(ImageGenerationPayload.of("a kite"), new TestContext("image_generation")))
        .isInstanceOf(dev.asyncjobs.PermanentGenerationException.class)
        .hasMessageContaining("no artifact store is configured")
        .hasMessageContaining("openai.artifactDir");
  }

  @Test
  void aGptImageModelWithoutAStoreIsAConfigurationError() {
    assertThatThrownBy(() -> builder().imageModel("gpt-image-1").build())
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("openai.imageModel is 'gpt-image-1'")
        .hasMessageContaining("artifact store");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "missing prompt | | | | | payload.prompt | payload.prompt is required",
    "blank prompt | '  ' | | | | payload.prompt | payload.prompt must not be blank",
    "unknown style | a cat | oil | | | payload.style | payload.style must be one of realistic, artistic, cartoon, anime, sketch, watercolor, digital_art, 3d_render, pixel_art, was 'oil'",
    "unknown size | a cat | | huge | | payload.size | payload.size must be one of standard, wide, tall, or WIDTHxHEIGHT such as 1200x628, was 'huge'",
    "tiny size | a cat | | 8x8 | | payload.size | payload.size sides must be between 16 and 8192 pixels, was 8x8",
    "unknown quality | a cat | | | ultra | payload.quality | payload.quality must be one of standard, hd, was 'ultra'",
  })
  void refusesBadPayloadsNamingTheField(
      String name, String prompt, String style, String size, String quality, String field, String message) {
    openai = builder().build();
    assertThatThrownBy(() -> openai.image().validate(new ImageGenerationPayload(prompt, style, size, quality)))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessage(message);
  }

  @Test
  void refusesAPromptOverTheLimit() {
    openai = builder().build();
    assertThatThrownBy(() -> openai.image().validate(ImageGenerationPayload.of("x".repeat(3001))))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessage("payload.prompt must be at most 3000 characters, was 3001");
  }

  @Test
  void stylesMatchIgnoringCaseSpacesAndHyphens() {
    openai = builder().build();
    openai.image().validate(new ImageGenerationPayload("a cat", "Digital Art", "1200 x 628", "HD"));
    openai.image().validate(new ImageGenerationPayload("a cat", "pixel-art", "WIDE", null));
  }
}
