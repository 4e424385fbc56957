package dev.asyncjobs.examples.demo;

import dev.asyncjobs.JobContext;
import java.util.List;

/**
 * Walks a demo job through named stages: one progress report and one pause per stage. The pause
 * is {@link JobContext#sleep}, so that a cancel or a shutdown stops the job at once.
 */
final class DemoStages {
  private DemoStages() {}

  /** Reports each stage in turn, ending just below 100 % (the worker writes 100 on completion). */
  static void run(JobContext context, DemoSettings settings, List<String> stages) {
    run(context, settings, stages, 0, stages.size());
    context.progress(99, "finishing");
  }

  /** Reports the stages {@code from} (inclusive) to {@code to} (exclusive) of {@code stages}. */
  static void run(JobContext context, DemoSettings settings, List<String> stages, int from, int to) {
    int n = stages.size();
    for (int i = from; i < to; i++) {
      context.progress(i * 100 / n, stages.get(i));
      context.sleep(settings.stepDelay());
    }
  }

  /**
   * Streams {@code text} word by word over {@code steps} stage delays, as a model writes tokens,
   * with the progress moving from {@code fromPercent} to {@code toPercent}.
   */
  static void stream(JobContext context, DemoSettings settings, String text, int steps, int fromPercent, int toPercent) {
    String[] words = text.split("(?<= )");
    java.time.Duration perWord = settings.stepDelay().multipliedBy(steps).dividedBy(Math.max(1, words.length));
    for (int i = 0; i < words.length; i++) {
      context.appendText(words[i]);
      if (i % 8 == 0) {
        context.progress(fromPercent + (toPercent - fromPercent) * i / words.length, "writing");
      }
      context.sleep(perWord);
    }
  }
}
