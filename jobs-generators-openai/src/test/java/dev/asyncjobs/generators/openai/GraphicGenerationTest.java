package dev.asyncjobs.generators.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.testing.openai.FakeOpenAi;
import dev.asyncjobs.testing.openai.OpenAiReplies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code graphic_generation}: the design brief per kind, the size mapping and the note about it. */
class GraphicGenerationTest {
  private final FakeOpenAi server = FakeOpenAi.start();
  private final OpenAiGenerators openai =
      OpenAiGenerators.builder().apiKey("sk-test").baseUrl(server.baseUrl()).graphicModel("dall-e-3").build();

  @AfterEach
  void stop() {
    openai.close();
    server.close();
  }

  @Test
  void aBannerOfCustomSizeIsMadeAtTheNearestSizeAndTheResultSaysSo() {
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://x/banner.png", "revised")));
    TestContext context = new TestContext("graphic_generation");

    GraphicGenerationResult result = (GraphicGenerationResult) openai.graphic().generate(
        new GraphicGenerationPayload("spring sale, 20% off bikes", "banner", 1200, 628), context);

    JsonNode body = server.take().json();
    assertThat(body.path("model").asText()).isEqualTo("dall-e-3");
    assertThat(body.path("size").asText()).isEqualTo("1792x1024");
    assertThat(body.path("prompt").asText()).isEqualTo(
        "A wide web banner. Horizontal composition with the focal point to one side and calm space for a headline. "
            + "Subject: spring sale, 20% off bikes");
    assertThat(body.path("quality").asText()).isEqualTo("standard");
    assertThat(result.kind()).isEqualTo("banner");
    assertThat(result.requestedSize()).isEqualTo("1200x628");
    assertThat(result.size()).isEqualTo("1792x1024");
    assertThat(result.sizeNote()).isEqualTo(
        "requested 1200x628, generated 1792x1024, the nearest shape dall-e-3 makes (it makes 1024x1024, 1792x1024, "
            + "1024x1792); scale or crop it to 1200x628");
    assertThat(result.images()).singleElement().extracting(GeneratedImage::url).isEqualTo("https://x/banner.png");
    assertThat(context.messages()).containsExactly(
        "5 validated", "10 request sent to OpenAI (dall-e-3)", "70 response received", "95 post-processed");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "logo, 1024x1024, A clean modern logo",
    "poster, 1024x1792, A striking poster design",
    "banner, 1792x1024, A wide web banner",
    "social, 1024x1024, A social media post graphic",
    "icon, 1024x1024, A simple app icon",
  })
  void eachKindHasItsShapeAndBrief(String kind, String size, String lead) {
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://x/g.png", "r")));

    GraphicGenerationResult result = (GraphicGenerationResult) openai.graphic().generate(
        GraphicGenerationPayload.of("Nordlys Coffee", kind), new TestContext("graphic_generation"));

    JsonNode body = server.take().json();
    assertThat(body.path("size").asText()).isEqualTo(size);
    assertThat(body.path("prompt").asText().replace(",", "")).startsWith(lead).endsWith("Subject: Nordlys Coffee");
    assertThat(result.requestedSize()).isNull();
    assertThat(result.sizeNote()).isEqualTo("generated at " + size + ", the usual shape for a " + kind + " that dall-e-3 makes");
  }

  @Test
  void anExactSizeIsSaidToBeExact() {
    server.on("/v1/images/generations", FakeOpenAi.Reply.json(200, OpenAiReplies.imageUrl("https://x/g.png", "r")));

    GraphicGenerationResult result = (GraphicGenerationResult) openai.graphic().generate(
        new GraphicGenerationPayload("a fox", "icon", 1024, 1024), new TestContext("graphic_generation"));

    assertThat(result.sizeNote()).isEqualTo("generated at the requested size 1024x1024");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "unknown kind | flyer | | | payload.kind | payload.kind must be one of logo, poster, banner, social, icon, was 'flyer'",
    "width alone | logo | 800 | | payload.height | payload.width and payload.height go together: payload.height is missing",
    "height alone | logo | | 800 | payload.width | payload.width and payload.height go together: payload.width is missing",
    "too wide | logo | 9000 | 100 | payload.width | payload.width sides must be between 16 and 8192 pixels, was 9000x100",
    "too flat | logo | 100 | 4 | payload.height | payload.height sides must be between 16 and 8192 pixels, was 100x4",
  })
  void refusesBadPayloadsNamingTheField(String name, String kind, Integer width, Integer height, String field, String message) {
    assertThatThrownBy(() -> openai.graphic().validate(new GraphicGenerationPayload("a fox", kind, width, height)))
        .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessage(message);
  }
}
