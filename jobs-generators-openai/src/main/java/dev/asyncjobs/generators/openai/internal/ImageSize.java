package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.InvalidPayloadException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A width × height in pixels, spelled {@code 1024x1024} as OpenAI does.
 *
 * @param width pixels across
 * @param height pixels down
 */
public record ImageSize(int width, int height) {
  /** The smallest side accepted in a payload. */
  public static final int MIN_SIDE = 16;
  /** The largest side accepted in a payload. */
  public static final int MAX_SIDE = 8192;

  private static final Pattern WXH = Pattern.compile("(\\d{1,5})\\s*[x×]\\s*(\\d{1,5})");

  /** The OpenAI spelling. */
  public String wire() {
    return width + "x" + height;
  }

  /** Parses {@code WxH}, or returns {@code null} when {@code text} is not of that form. */
  static @Nullable ImageSize parse(String text) {
    Matcher m = WXH.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    return new ImageSize(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  /** Checks that both sides are within the accepted range, naming {@code field}. */
  static ImageSize checked(String field, int width, int height) {
    if (width < MIN_SIDE || width > MAX_SIDE || height < MIN_SIDE || height > MAX_SIDE) {
      throw new InvalidPayloadException(
          field, field + " sides must be between " + MIN_SIDE + " and " + MAX_SIDE + " pixels, was " + width + "x" + height);
    }
    return new ImageSize(width, height);
  }

  /**
   * The size among {@code supported} closest to this one: first by aspect ratio (compared on a log
   * scale, so 2:1 and 1:2 are equally far from 1:1), then by area.
   */
  ImageSize nearest(List<ImageSize> supported) {
    ImageSize best = supported.get(0);
    double bestRatio = Double.MAX_VALUE;
    double bestArea = Double.MAX_VALUE;
    for (ImageSize s : supported) {
      double ratio = Math.abs(Math.log(aspect()) - Math.log(s.aspect()));
      double area = Math.abs(Math.log((double) width * height) - Math.log((double) s.width * s.height));
      if (ratio < bestRatio - 1e-9 || (Math.abs(ratio - bestRatio) <= 1e-9 && area < bestArea)) {
        best = s;
        bestRatio = ratio;
        bestArea = area;
      }
    }
    return best;
  }

  private double aspect() {
    return (double) width / height;
  }
}
