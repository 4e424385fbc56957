package dev.asyncjobs.examples.demo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Draws small SVG pictures from a prompt, so that demo images, posters and graphics are real,
 * viewable files. The same prompt always gives the same picture.
 */
final class DemoArt {
  private DemoArt() {}

  /** A random source seeded by the text, so that results are repeatable. */
  static SplittableRandom random(String text) {
    long h = 1125899906842597L;
    for (int i = 0; i < text.length(); i++) {
      h = 31 * h + text.charAt(i);
    }
    return new SplittableRandom(h);
  }

  /** {@code n} harmonious colours (one hue family, spread lightness) as {@code #rrggbb}. */
  static List<String> palette(String text, int n) {
    SplittableRandom r = random(text);
    double hue = r.nextDouble(360);
    List<String> colours = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      colours.add(hsl((hue + i * 37) % 360, 0.55 + r.nextDouble(0.3), 0.35 + 0.4 * i / Math.max(1, n - 1)));
    }
    return colours;
  }

  /** A picture: a gradient sky, a few soft shapes, and the caption at the bottom. */
  static String scene(String caption, int width, int height, List<String> palette) {
    SplittableRandom r = random(caption + width + "x" + height);
    StringBuilder svg = new StringBuilder(2048);
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
        .append(height).append("\"><defs><linearGradient id=\"g\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">")
        .append("<stop offset=\"0\" stop-color=\"").append(palette.get(0)).append("\"/>")
        .append("<stop offset=\"1\" stop-color=\"").append(palette.get(palette.size() - 1)).append("\"/>")
        .append("</linearGradient></defs><rect width=\"100%\" height=\"100%\" fill=\"url(#g)\"/>");
    for (int i = 0; i < 6; i++) {
      svg.append("<circle cx=\"").append(r.nextInt(width)).append("\" cy=\"").append(r.nextInt(height))
          .append("\" r=\"").append(width / 12 + r.nextInt(width / 5)).append("\" fill=\"")
          .append(palette.get(1 + r.nextInt(palette.size() - 1))).append("\" opacity=\"0.45\"/>");
    }
    int fontSize = Math.max(12, width / 28);
    svg.append("<rect x=\"0\" y=\"").append(height - fontSize * 3).append("\" width=\"100%\" height=\"")
        .append(fontSize * 3).append("\" fill=\"#000\" opacity=\"0.35\"/>")
        .append("<text x=\"").append(fontSize).append("\" y=\"").append(height - fontSize)
        .append("\" font-family=\"sans-serif\" font-size=\"").append(fontSize)
        .append("\" fill=\"#fff\">").append(escape(shorten(caption, width / (fontSize / 2 + 1))))
        .append("</text><text x=\"").append(width - fontSize).append("\" y=\"").append(fontSize * 2)
        .append("\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"").append(fontSize)
        .append("\" fill=\"#fff\" opacity=\"0.8\">DEMO</text></svg>");
    return svg.toString();
  }

  /** The SVG as a {@code data:} URL that a browser shows in an {@code <img>}. */
  static String dataUrl(String svg) {
    return "data:image/svg+xml;base64,"
        + Base64.getEncoder().encodeToString(svg.getBytes(StandardCharsets.UTF_8));
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static String shorten(String text, int max) {
    return text.length() <= max ? text : text.substring(0, Math.max(1, max - 1)) + "…";
  }

  private static String hsl(double h, double s, double l) {
    double c = (1 - Math.abs(2 * l - 1)) * s;
    double x = c * (1 - Math.abs((h / 60) % 2 - 1));
    double m = l - c / 2;
    double[] rgb =
        h < 60 ? new double[] {c, x, 0}
            : h < 120 ? new double[] {x, c, 0}
            : h < 180 ? new double[] {0, c, x}
            : h < 240 ? new double[] {0, x, c}
            : h < 300 ? new double[] {x, 0, c}
            : new double[] {c, 0, x};
    return String.format(
        Locale.ROOT, "#%02x%02x%02x",
        Math.round((rgb[0] + m) * 255), Math.round((rgb[1] + m) * 255), Math.round((rgb[2] + m) * 255));
  }
}
