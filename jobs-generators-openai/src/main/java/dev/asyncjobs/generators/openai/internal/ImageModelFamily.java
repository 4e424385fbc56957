package dev.asyncjobs.generators.openai.internal;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What an image model accepts: its sizes, its quality values, whether it takes DALL-E 3's style
 * parameter and whether it can answer with URLs (the GPT image models always answer with bytes).
 */
public enum ImageModelFamily {
  /** {@code dall-e-2}: squares only, no quality or style. */
  DALL_E_2(List.of(new ImageSize(1024, 1024), new ImageSize(512, 512), new ImageSize(256, 256)), null, null, false, true),
  /** {@code dall-e-3}: square, landscape, portrait; standard or hd; natural or vivid. */
  DALL_E_3(
      List.of(new ImageSize(1024, 1024), new ImageSize(1792, 1024), new ImageSize(1024, 1792)), "standard", "hd", true, true),
  /** {@code gpt-image-*}: square, landscape, portrait; medium or high; bytes only. */
  GPT_IMAGE(
      List.of(new ImageSize(1024, 1024), new ImageSize(1536, 1024), new ImageSize(1024, 1536)), "medium", "high", false, false);

  private final List<ImageSize> sizes;
  private final @Nullable String standardQuality;
  private final @Nullable String hdQuality;
  private final boolean styleParameter;
  private final boolean urls;

  ImageModelFamily(
      List<ImageSize> sizes, @Nullable String standardQuality, @Nullable String hdQuality, boolean styleParameter, boolean urls) {
    this.sizes = sizes;
    this.standardQuality = standardQuality;
    this.hdQuality = hdQuality;
    this.styleParameter = styleParameter;
    this.urls = urls;
  }

  /** The family of a model name; unknown names are treated like {@code dall-e-3}. */
  public static ImageModelFamily of(String model) {
    String m = model.toLowerCase(Locale.ROOT);
    if (m.startsWith("dall-e-2")) {
      return DALL_E_2;
    }
    if (m.startsWith("gpt-image") || m.startsWith("chatgpt-image")) {
      return GPT_IMAGE;
    }
    return DALL_E_3;
  }

  /** The sizes the model can make, the square first. */
  public List<ImageSize> sizes() {
    return sizes;
  }

  /** The largest square the model makes. */
  ImageSize square() {
    return sizes.get(0);
  }

  /** The model's quality value for {@code hd} or not, or {@code null} when it takes none. */
  @Nullable String quality(boolean hd) {
    return hd ? hdQuality : standardQuality;
  }

  /** Whether it takes DALL-E 3's {@code style} parameter (natural / vivid). */
  boolean styleParameter() {
    return styleParameter;
  }

  /** Whether it can answer with URLs (else it always sends base64 bytes). */
  public boolean urls() {
    return urls;
  }
}
