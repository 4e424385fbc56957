package dev.asyncjobs.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A timer whose tasks run only when the test says so, whatever their delay (for the coalescing tests). */
final class ManualTimer extends ScheduledThreadPoolExecutor {
  private record Task(Runnable command, ScheduledFuture<?> future) {}

  private final List<Task> tasks = new CopyOnWriteArrayList<>();

  ManualTimer() {
    super(1);
    setRemoveOnCancelPolicy(true);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    // A stand-in that never fires by itself but can be cancelled as the real one would be.
    ScheduledFuture<?> stub = super.schedule(() -> {}, 1, TimeUnit.DAYS);
    tasks.add(new Task(command, stub));
    return stub;
  }

  /** Tasks scheduled and not cancelled. */
  int pending() {
    return (int) tasks.stream().filter(t -> !t.future().isCancelled()).count();
  }

  /** Runs the tasks scheduled so far that were not cancelled. */
  void runPending() {
    List<Task> due = List.copyOf(tasks);
    tasks.removeAll(due);
    for (Task t : due) {
      if (t.future().cancel(false)) {
        t.command().run();
      }
    }
  }
}
