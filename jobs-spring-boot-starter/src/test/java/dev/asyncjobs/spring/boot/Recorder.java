package dev.asyncjobs.spring.boot;

import dev.asyncjobs.AttemptInterceptor;
import dev.asyncjobs.Job;
import dev.asyncjobs.WorkerListener;
import dev.asyncjobs.testing.Waits;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** A WorkerListener and AttemptInterceptor bean that records what the worker did, as "event id" lines. */
final class Recorder implements WorkerListener, AttemptInterceptor {
  private final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public Object intercept(Job job, Attempt attempt) {
    events.add("attempt " + job.id());
    return attempt.proceed();
  }

  @Override
  public void onCompleted(Job job, Duration duration) {
    events.add("completed " + job.id());
  }

  @Override
  public void onReleased(Job job) {
    events.add("released " + job.id());
  }

  List<String> events() {
    return List.copyOf(events);
  }

  /** Waits until the worker reported {@code event} of the job. */
  void await(String event, UUID job) {
    Waits.until(event + " " + job, Duration.ofSeconds(20), () -> events.contains(event + " " + job), this::events);
  }
}
