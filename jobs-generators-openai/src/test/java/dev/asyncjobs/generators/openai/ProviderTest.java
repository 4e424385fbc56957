package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Generator;
import dev.asyncjobs.GeneratorProvider;
import dev.asyncjobs.Generators;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Discovery with ServiceLoader and configuration from host settings and the environment. */
class ProviderTest {
  private final FakeOpenAi server = FakeOpenAi.start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void serviceLoaderFindsTheProviderAndItsSixTypes() {
    List<GeneratorProvider> providers = Generators.providers();
    assertThat(providers).anySatisfy(p -> assertThat(p).isInstanceOf(OpenAiGeneratorProvider.class));

    List<Generator<?>> found = Generators.discover(Map.of("openai.apiKey", "sk-test", "openai.baseUrl", server.baseUrl()));

    assertThat(found).extracting(Generator::type).containsAll(OpenAiGenerators.TYPES);
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore())
        .discoverGenerators(Map.of("openai.apiKey", "sk-test")).build()) {
      assertThat(jobs.types()).containsAll(OpenAiGenerators.TYPES);
    }
  }

  @Test
  void theProviderTakesTheKeyAndUrlFromSettingsAndRequestsCarryThem() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("m", "hi")));
    Generator<?> text = new OpenAiGeneratorProvider().generators(Map.of(
            "openai.apiKey", "sk-from-settings", "openai.baseUrl", server.baseUrl(), "openai.textModel", "gpt-4.1-nano",
            "openai.organization", "org-42", "openai.types", "text_generation"))
        .get(0);

    @SuppressWarnings("unchecked")
    Generator<TextGenerationPayload> typed = (Generator<TextGenerationPayload>) text;
    typed.generate(TextGenerationPayload.of("hello"), new TestContext("text_generation"));

    FakeOpenAi.Request sent = server.take();
    assertThat(sent.header("Authorization")).isEqualTo("Bearer sk-from-settings");
    assertThat(sent.header("OpenAI-Organization")).isEqualTo("org-42");
    assertThat(sent.json().path("model").asText()).isEqualTo("gpt-4.1-nano");
  }

  @Test
  void theEnvironmentIsTheFallbackAndSettingsWin() {
    server.on("/v1/chat/completions", FakeOpenAi.Reply.json(200, OpenAiReplies.chat("m", "hi")));
    try (OpenAiGenerators openai = OpenAiGenerators.fromSettings(
        Map.of("openai.apiKey", "sk-setting"),
        Map.of("OPENAI_API_KEY", "sk-env", "OPENAI_BASE_URL", server.baseUrl()))) {
      openai.text().generate(TextGenerationPayload.of("hello"), new TestContext("text_generation"));
    }
    assertThat(server.take().header("Authorization")).isEqualTo("Bearer sk-setting");
  }

  @Test
  void aMissingKeyIsAConfigurationErrorWhenBuilt() {
    assertThatThrownBy(() -> OpenAiGenerators.fromSettings(Map.of(), Map.of()))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessage("openai.apiKey is not set: call OpenAiGenerators.builder().apiKey(...), or set the openai.apiKey "
            + "setting or the OPENAI_API_KEY environment variable");
    assertThatThrownBy(() -> OpenAiGenerators.builder().baseUrl(server.baseUrl()).build())
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageStartingWith("openai.apiKey is not set");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
    "openai.apikey | sk | unknown OpenAI settings [openai.apikey]; known settings: [openai.apiKey,",
    "openai.timeout | soon | openai.timeout must be a duration such as 30s, 500ms, 2m or PT30S, was 'soon'",
    "openai.timeout | 0 | openai.timeout must be positive and at most PT1H, was PT0S",
    "openai.moderationTimeout | 2h | openai.moderationTimeout must be positive and at most PT1H, was PT2H",
    "openai.baseUrl | ftp://example.com | openai.baseUrl must be an absolute http(s) URL, was 'ftp://example.com'",
    "openai.imageModel | dall e 3 | openai.imageModel must be a model name (letters, digits, . _ : / -), was 'dall e 3'",
    "openai.moderationFailOpen | maybe | openai.moderationFailOpen must be true or false, was 'maybe'",
    "openai.imageTransfer | carrier-pigeon | openai.imageTransfer must be base64 or fetch, was 'carrier-pigeon'",
    "openai.types | image_generation,sound | openai.types: unknown type 'sound'; the OpenAI generators offer [image_generation, text_generation, graphic_generation, video_generation, music_generation, model3d_generation]",
    "openai.artifactBaseUrl | https://cdn.example.com | openai.artifactBaseUrl needs openai.artifactDir (the directory it serves)",
  })
  void badSettingsAreNamedWithTheirValue(String key, String value, String message) {
    assertThatThrownBy(() -> OpenAiGenerators.fromSettings(Map.of("openai.apiKey", "sk-test", key, value), Map.of()))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void readsDurationsTypesAndTheArtifactDirectory(@TempDir Path dir) {
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageB64(OpenAiReplies.png())));
    try (OpenAiGenerators openai = OpenAiGenerators.fromSettings(Map.of(
            "openai.apiKey", "sk-test", "openai.baseUrl", server.baseUrl(), "openai.timeout", "90s",
            "openai.imageModel", "gpt-image-1", "openai.artifactDir", dir.toString(),
            "openai.artifactBaseUrl", "https://cdn.example.com/a", "openai.types", "image_generation, graphic_generation",
            "other.setting", "ignored"),
        Map.of())) {
      assertThat(openai.all()).extracting(Generator::type).containsExactly("image_generation", "graphic_generation");
      ImageGenerationResult result = (ImageGenerationResult) openai.image().generate(
          ImageGenerationPayload.of("a kite"), new TestContext("image_generation"));
      assertThat(result.images().get(0).stored().location()).startsWith("https://cdn.example.com/a/");
    }
    assertThat(server.take().header("X-Stainless-Timeout")).isEqualTo("90");
  }
}
