package dev.asyncjobs.generators.openai.internal;

import com.openai.models.images.Image;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.generators.openai.ArtifactStore;
import dev.asyncjobs.generators.openai.ArtifactStoreException;
import dev.asyncjobs.generators.openai.GeneratedImage;
import dev.asyncjobs.generators.openai.ImageTransfer;
import dev.asyncjobs.generators.openai.StoredArtifact;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The images endpoint as the image and graphic generators use it: sends one request, checks the
 * reply, and keeps the bytes in the artifact store when one is configured.
 */
final class ImagePipeline {
  /**
   * One image request.
   *
   * @param what for messages, e.g. {@code image generation}
   * @param modelSetting the setting naming the model
   * @param style DALL-E 3's {@code natural} or {@code vivid}, or {@code null}
   */
  record Request(
      String what, String model, String modelSetting, String prompt, ImageSize size, @Nullable String quality,
      @Nullable String style) {}

  private final OpenAiBackend backend;

  ImagePipeline(OpenAiBackend backend) {
    this.backend = backend;
  }

  // openai-java deprecates DALL-E's style and response_format together with the DALL-E models;
  // they are still the parameters DALL-E 3 takes, and GPT image models are sent neither.
  @SuppressWarnings("deprecation")
  List<GeneratedImage> run(JobContext context, Request r) {
    ImageModelFamily family = ImageModelFamily.of(r.model());
    ImageGenerateParams.Builder params =
        ImageGenerateParams.builder()
            .model(r.model())
            .prompt(r.prompt())
            .n(1)
            .size(r.size().wire())
            .safetyIdentifier(OpenAiBackend.safetyId(context.ownerId()));
    if (r.quality() != null) {
      params.quality(ImageGenerateParams.Quality.of(r.quality()));
    }
    if (r.style() != null && family.styleParameter()) {
      params.style(ImageGenerateParams.Style.of(r.style()));
    }
    if (family.urls()) {
      boolean bytes = backend.artifacts() != null && backend.transfer() == ImageTransfer.BASE64;
      params.responseFormat(bytes ? ImageGenerateParams.ResponseFormat.B64_JSON : ImageGenerateParams.ResponseFormat.URL);
    }
    ImageGenerateParams built = params.build();
    context.progress(Stages.REQUEST_SENT, "request sent to OpenAI (" + r.model() + ")");
    ImagesResponse response = backend.call(context, r.what(), r.model(), r.modelSetting(), c -> c.images().generate(built));
    context.progress(Stages.RESPONSE_RECEIVED, "response received");
    List<Image> data = response.data().orElse(List.of());
    // Paid for whatever the checks and downloads below make of the images.
    Spent.images(context, r.model(), data.size(), response.usage());
    if (data.isEmpty()) {
      throw ErrorMapper.malformed(r.what(), "the reply has no images ('data' is missing or empty)", null);
    }
    List<GeneratedImage> out = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      out.add(keep(context, r, data.get(i), i + 1, data.size()));
    }
    return out;
  }

  private GeneratedImage keep(JobContext context, Request r, Image image, int n, int of) {
    String url = image.url().filter(u -> !u.isBlank()).orElse(null);
    String b64 = image.b64Json().filter(b -> !b.isBlank()).orElse(null);
    String revised = image.revisedPrompt().orElse(null);
    if (url == null && b64 == null) {
      throw ErrorMapper.malformed(r.what(), "image " + n + " has neither 'url' nor 'b64_json'", null);
    }
    ArtifactStore store = backend.artifacts();
    if (store == null) {
      if (url == null) {
        throw new PermanentGenerationException(
            "OpenAI sent image " + n + " as bytes (b64_json) but no artifact store is configured to keep them: set "
                + "openai.artifactDir or OpenAiGenerators.builder().artifactStore(...)");
      }
      return new GeneratedImage(url, revised, null);
    }
    byte[] bytes = b64 != null ? decode(r, b64, n) : backend.run(context, () -> backend.fetcher().fetch(url));
    ImageFormat format = ImageFormat.sniff(bytes);
    if (format == null) {
      // Downloads are checked by the fetcher; bytes in the reply itself are checked here.
      throw ErrorMapper.malformed(r.what(), "the b64_json of image " + n + " is not a PNG, JPEG, WebP or GIF image", null);
    }
    StoredArtifact stored;
    try {
      stored = store.store(context.jobId(), "image-" + n + "." + format.extension, format.contentType, bytes);
    } catch (ArtifactStoreException e) {
      throw new RetryableGenerationException("could not keep generated image " + n + ": " + e.getMessage(), null, e);
    }
    context.progress(Stages.RESPONSE_RECEIVED + (Stages.STORED - Stages.RESPONSE_RECEIVED) * n / of, "stored image " + n + " of " + of);
    return new GeneratedImage(url, revised, stored);
  }

  private static byte[] decode(Request r, String b64, int n) {
    try {
      return Base64.getMimeDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw ErrorMapper.malformed(r.what(), "the b64_json of image " + n + " is not base64: " + e.getMessage(), e);
    }
  }
}
