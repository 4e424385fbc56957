package dev.asyncjobs.bench.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pictures of a run, next to {@code bench.json}: {@code throughput.svg} (every jobs/s figure with its
 * baseline) and, when pg-steady ran, {@code pg-steady.svg} (pickup latency by offered load). Plain
 * SVG written here: two simple charts do not justify a charting library and its dependencies.
 */
final class Charts {
  private static final Pattern STEADY = Pattern.compile("pickup latency (p50|p99|max) at (\\d+) % of capacity.*");
  private static final String[] SERIES = {"p50", "p99", "max"};
  private static final String[] COLOURS = {"#2b6cb0", "#dd6b20", "#9b2c2c"};

  private Charts() {}

  /** Writes the charts of {@code results} into {@code dir}. @return the files written */
  static List<Path> write(List<ScenarioResult> results, Path dir) throws IOException {
    List<Path> written = new ArrayList<>();
    Path throughput = dir.resolve("throughput.svg");
    Files.writeString(throughput, throughput(results), StandardCharsets.UTF_8);
    written.add(throughput);
    String steady = steady(results);
    if (steady != null) {
      Path p = dir.resolve("pg-steady.svg");
      Files.writeString(p, steady, StandardCharsets.UTF_8);
      written.add(p);
    }
    return written;
  }

  /** Horizontal bars: each jobs/s figure (dark) over its same-run baseline (light). */
  static String throughput(List<ScenarioResult> results) {
    List<String[]> labels = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    double max = 1;
    for (ScenarioResult r : results) {
      for (Measurement m : r.measurements()) {
        if (m.unit().equals("jobs/s")) {
          double base = m.baseline() == null ? -1 : m.baseline();
          labels.add(new String[] {r.name(), shorten(m.metric(), 90), m.baselineName() == null ? "" : m.baselineName()});
          values.add(new double[] {m.value(), base});
          max = Math.max(max, Math.max(m.value(), base));
        }
      }
    }
    int rowHeight = 46;
    int left = 20;
    int barWidth = 560;
    int height = 60 + rowHeight * labels.size();
    StringBuilder svg = header(barWidth + 260, height, "jobs per second, each figure (dark) and its baseline in the same run (light)");
    for (int i = 0; i < labels.size(); i++) {
      int y = 50 + i * rowHeight;
      double v = values.get(i)[0];
      double b = values.get(i)[1];
      svg.append(text(left, y, 12, labels.get(i)[0] + ": " + labels.get(i)[1]));
      svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%.1f' height='12' fill='#2b6cb0'/>%n",
          left, y + 6, barWidth * v / max));
      svg.append(text(left + (int) (barWidth * v / max) + 6, y + 16, 11, Numbers.format(v)));
      if (b >= 0) {
        svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%.1f' height='10' fill='#a3bffa'/>%n",
            left, y + 20, barWidth * b / max));
        svg.append(text(left + (int) (barWidth * b / max) + 6, y + 29, 11, Numbers.format(b) + " " + labels.get(i)[2]));
      }
    }
    return svg.append("</svg>\n").toString();
  }

  /** Pickup latency p50/p99/max (log scale) by offered load, or null when pg-steady did not run. */
  static String steady(List<ScenarioResult> results) {
    TreeMap<Integer, double[]> byPercent = new TreeMap<>();
    for (ScenarioResult r : results) {
      if (!r.name().equals("pg-steady")) {
        continue;
      }
      for (Measurement m : r.measurements()) {
        Matcher mm = STEADY.matcher(m.metric());
        if (mm.matches()) {
          double[] row = byPercent.computeIfAbsent(Integer.parseInt(mm.group(2)), k -> new double[] {-1, -1, -1});
          row[List.of(SERIES).indexOf(mm.group(1))] = Math.max(m.value(), 0.1);
        }
      }
    }
    if (byPercent.isEmpty()) {
      return null;
    }
    int w = 640;
    int h = 360;
    int x0 = 70;
    int y0 = 300;
    int plotW = 520;
    int plotH = 240;
    double lo = 1;
    double hi = 100_000;
    StringBuilder svg = header(w, h, "pg-steady: pickup latency (ms, log scale) by offered load (% of capacity)");
    for (double tick = lo; tick <= hi; tick *= 10) {
      int y = y0 - (int) (plotH * Math.log10(tick / lo) / Math.log10(hi / lo));
      svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#e2e8f0'/>%n", x0, y, x0 + plotW, y));
      svg.append(text(20, y + 4, 11, Numbers.format(tick) + " ms"));
    }
    int minP = byPercent.firstKey();
    int maxP = Math.max(byPercent.lastKey(), minP + 1);
    for (int p : byPercent.keySet()) {
      int x = x0 + plotW * (p - minP) / (maxP - minP);
      svg.append(text(x - 12, y0 + 20, 11, p + " %"));
    }
    for (int s = 0; s < SERIES.length; s++) {
      StringBuilder points = new StringBuilder();
      for (var e : byPercent.entrySet()) {
        double v = e.getValue()[s];
        if (v < 0) {
          continue;
        }
        int x = x0 + plotW * (e.getKey() - minP) / (maxP - minP);
        double clamped = Math.min(Math.max(v, lo), hi);
        int y = y0 - (int) (plotH * Math.log10(clamped / lo) / Math.log10(hi / lo));
        points.append(x).append(',').append(y).append(' ');
        svg.append(String.format(Locale.ROOT, "<circle cx='%d' cy='%d' r='3' fill='%s'/>%n", x, y, COLOURS[s]));
      }
      svg.append(String.format(Locale.ROOT, "<polyline fill='none' stroke='%s' stroke-width='2' points='%s'/>%n",
          COLOURS[s], points.toString().strip()));
      svg.append(String.format(Locale.ROOT, "<rect x='%d' y='44' width='12' height='4' fill='%s'/>%n", x0 + 10 + s * 70, COLOURS[s]));
      svg.append(text(x0 + 26 + s * 70, 50, 11, SERIES[s]));
    }
    return svg.append("</svg>\n").toString();
  }

  private static StringBuilder header(int width, int height, String title) {
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' font-family='sans-serif'>%n",
        width, height, width, height));
    svg.append("<rect width='100%' height='100%' fill='white'/>\n");
    svg.append(text(20, 24, 14, title));
    return svg;
  }

  private static String text(int x, int y, int size, String s) {
    return String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='%d'>%s</text>%n", x, y, size, escape(s));
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
  }
}
