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
    int n = stages.size();
    for (int i = 0; i < n; i++) {
      context.progress(i * 100 / n, stages.get(i));
      context.sleep(settings.stepDelay());
    }
    context.progress(99, "finishing");
  }
}
