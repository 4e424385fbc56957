package dev.asyncjobs.bench.internal;

import java.util.List;
import java.util.Objects;

/**
 * A figure over time, for a chart rather than the table: e.g. pg-steady's queue depth sampled every
 * 250 ms, with a mark where each offered rate begins.
 *
 * @param name what is plotted, e.g. {@code queue depth, 1 worker process}
 * @param xUnit the unit of x, e.g. {@code s}
 * @param yUnit the unit of y, e.g. {@code jobs}
 * @param points the samples, in order of x
 * @param marks labelled positions on the x axis
 */
public record Series(String name, String xUnit, String yUnit, List<Point> points, List<Mark> marks) {

  /** One sample. @param x e.g. seconds since the start @param y the value */
  public record Point(double x, double y) {}

  /** A labelled x position. @param x where @param label e.g. {@code 75 %} */
  public record Mark(double x, String label) {
    /** Checks nullness. */
    public Mark {
      Objects.requireNonNull(label, "label");
    }
  }

  /** Checks nullness and copies the lists. */
  public Series {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(xUnit, "xUnit");
    Objects.requireNonNull(yUnit, "yUnit");
    points = List.copyOf(points);
    marks = List.copyOf(marks);
  }
}
