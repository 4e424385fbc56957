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
import org.jspecify.annotations.Nullable;

/**
 * Pictures of a run, next to {@code bench.json}: {@code throughput.svg} (every jobs/s figure with its
 * baseline) and, when pg-steady ran, {@code pg-steady.svg} (pickup latency by offered load) and
 * {@code pg-steady-depth.svg} (queue depth over time). Plain SVG written here: three simple charts
 * do not justify a charting library and its dependencies.
 */
final class Charts {
  private static final Pattern STEADY = Pattern.compile("pickup latency (p50|p99|max) at (\\d+) % of capacity, (\\d+) worker process.*");
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
    String depth = depth(results);
    if (depth != null) {
      Path p = dir.resolve("pg-steady-depth.svg");
      Files.writeString(p, depth, StandardCharsets.UTF_8);
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

  /**
   * Pickup latency p50/p99/max (log scale) by offered load, a solid line for one worker process and
   * a dashed one for two, or null when pg-steady did not run.
   */
  static @Nullable String steady(List<ScenarioResult> results) {
    // processes -> percent -> {p50, p99, max}
    TreeMap<Integer, TreeMap<Integer, double[]>> byProcesses = new TreeMap<>();
    for (ScenarioResult r : results) {
      if (!r.name().equals("pg-steady")) {
        continue;
      }
      for (Measurement m : r.measurements()) {
        Matcher mm = STEADY.matcher(m.metric());
        if (mm.matches()) {
          double[] row = byProcesses.computeIfAbsent(Integer.parseInt(mm.group(3)), k -> new TreeMap<>())
              .computeIfAbsent(Integer.parseInt(mm.group(2)), k -> new double[] {-1, -1, -1});
          row[List.of(SERIES).indexOf(mm.group(1))] = Math.max(m.value(), 0.1);
        }
      }
    }
    if (byProcesses.isEmpty()) {
      return null;
    }
    int plotW = 520;
    int plotH = 240;
    Plot plot = new Plot(70, 330, plotW, plotH);
    double lo = 1;
    double hi = 100_000;
    StringBuilder svg = header(640, 370, "pg-steady: pickup latency (ms, log scale) by offered load (% of capacity)");
    for (double tick = lo; tick <= hi; tick *= 10) {
      int y = plot.logY(tick, lo, hi);
      svg.append(line(plot.x0, y, plot.x0 + plotW, y, "#e2e8f0", ""));
      svg.append(text(20, y + 4, 11, Numbers.format(tick) + " ms"));
    }
    TreeMap<Integer, double[]> first = byProcesses.firstEntry().getValue();
    int minP = first.firstKey();
    int maxP = Math.max(first.lastKey(), minP + 1);
    for (int p : first.keySet()) {
      svg.append(text(plot.linearX(p, minP, maxP) - 12, plot.y0 + 20, 11, p + " %"));
    }
    int legend = 0;
    for (var byPercent : byProcesses.entrySet()) {
      String dash = byPercent.getKey() == 1 ? "" : "6 4";
      for (int s = 0; s < SERIES.length; s++) {
        StringBuilder points = new StringBuilder();
        for (var e : byPercent.getValue().entrySet()) {
          double v = e.getValue()[s];
          if (v < 0) {
            continue;
          }
          int x = plot.linearX(e.getKey(), minP, maxP);
          int y = plot.logY(Math.min(Math.max(v, lo), hi), lo, hi);
          points.append(x).append(',').append(y).append(' ');
          svg.append(String.format(Locale.ROOT, "<circle cx='%d' cy='%d' r='3' fill='%s'/>%n", x, y, COLOURS[s]));
        }
        svg.append(polyline(points, COLOURS[s], dash));
        int lx = plot.x0 + 10 + (legend % 3) * 170;
        int ly = 44 + (legend / 3) * 14;
        svg.append(line(lx, ly, lx + 18, ly, COLOURS[s], dash));
        svg.append(text(lx + 24, ly + 4, 11, SERIES[s] + ", " + byPercent.getKey() + (byPercent.getKey() == 1 ? " process" : " processes")));
        legend++;
      }
    }
    return svg.append("</svg>\n").toString();
  }

  /** pg-steady's queue depth over time, one panel per series, the steps marked; null without any. */
  static @Nullable String depth(List<ScenarioResult> results) {
    List<Series> all = new ArrayList<>();
    for (ScenarioResult r : results) {
      if (r.name().equals("pg-steady")) {
        all.addAll(r.series());
      }
    }
    if (all.isEmpty()) {
      return null;
    }
    int panelH = 220;
    int plotW = 760;
    StringBuilder svg = header(plotW + 120, 40 + all.size() * (panelH + 40), "pg-steady: queue depth (PENDING jobs) over time");
    for (int i = 0; i < all.size(); i++) {
      Series series = all.get(i);
      Plot plot = new Plot(80, 60 + i * (panelH + 40) + panelH - 30, plotW, panelH - 60);
      double maxX = 1;
      double maxY = 10;
      for (Series.Point pt : series.points()) {
        maxX = Math.max(maxX, pt.x());
        maxY = Math.max(maxY, pt.y());
      }
      svg.append(text(plot.x0, plot.y0 - plot.h - 12, 12, series.name() + " (deepest " + Numbers.format(maxY) + " " + series.yUnit() + ")"));
      svg.append(line(plot.x0, plot.y0, plot.x0 + plotW, plot.y0, "#4a5568", ""));
      svg.append(text(10, plot.y0 - plot.h + 4, 11, Numbers.format(maxY)));
      svg.append(text(10, plot.y0 + 4, 11, "0"));
      for (Series.Mark mark : series.marks()) {
        int x = plot.linearX(mark.x(), 0, maxX);
        svg.append(line(x, plot.y0, x, plot.y0 - plot.h, "#cbd5e0", "3 3"));
        svg.append(text(x + 2, plot.y0 + 14, 10, mark.label()));
      }
      StringBuilder points = new StringBuilder();
      for (Series.Point pt : series.points()) {
        points.append(plot.linearX(pt.x(), 0, maxX)).append(',')
            .append(plot.y0 - (int) Math.round(plot.h * pt.y() / maxY)).append(' ');
      }
      svg.append(polyline(points, COLOURS[0], ""));
      svg.append(text(plot.x0 + plotW - 40, plot.y0 + 28, 10, Numbers.format(maxX) + " " + series.xUnit()));
    }
    return svg.append("</svg>\n").toString();
  }

  /** A plot area: its origin (bottom left) and size, in pixels. */
  private record Plot(int x0, int y0, int w, int h) {
    int linearX(double v, double min, double max) {
      return x0 + (int) Math.round(w * (v - min) / (max - min));
    }

    int logY(double v, double lo, double hi) {
      return y0 - (int) (h * Math.log10(v / lo) / Math.log10(hi / lo));
    }
  }

  private static String line(int x1, int y1, int x2, int y2, String colour, String dash) {
    return String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s'%s/>%n", x1, y1, x2, y2, colour,
        dash.isEmpty() ? "" : " stroke-dasharray='" + dash + "'");
  }

  private static String polyline(CharSequence points, String colour, String dash) {
    return String.format(Locale.ROOT, "<polyline fill='none' stroke='%s' stroke-width='2'%s points='%s'/>%n", colour,
        dash.isEmpty() ? "" : " stroke-dasharray='" + dash + "'", points.toString().strip());
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
