package dev.asyncjobs.internal;

import dev.asyncjobs.Job;
import dev.asyncjobs.WorkerListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls every registered {@link WorkerListener}; one that throws is logged and does not stop the worker. */
final class SafeListener implements WorkerListener {
  private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);
  private final List<WorkerListener> listeners;

  SafeListener(List<WorkerListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void each(Consumer<WorkerListener> call) {
    for (WorkerListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("worker listener {} threw; ignored", l, e);
      }
    }
  }

  @Override
  public void onStarted(Job job) {
    each(l -> l.onStarted(job));
  }

  @Override
  public void onCompleted(Job job, Duration duration) {
    each(l -> l.onCompleted(job, duration));
  }

  @Override
  public void onRetryScheduled(Job job, Throwable error, Duration delay) {
    each(l -> l.onRetryScheduled(job, error, delay));
  }

  @Override
  public void onRateLimited(Job job, Set<String> names, Instant until) {
    each(l -> l.onRateLimited(job, names, until));
  }

  @Override
  public void onFailed(Job job, Throwable error) {
    each(l -> l.onFailed(job, error));
  }

  @Override
  public void onCancelled(Job job) {
    each(l -> l.onCancelled(job));
  }

  @Override
  public void onTimedOut(Job job, Duration timeout) {
    each(l -> l.onTimedOut(job, timeout));
  }

  @Override
  public void onLeaseLost(Job job) {
    each(l -> l.onLeaseLost(job));
  }

  @Override
  public void onReleased(Job job) {
    each(l -> l.onReleased(job));
  }

  @Override
  public void onRescued(Job job) {
    each(l -> l.onRescued(job));
  }

  @Override
  public void onOutcomeNotRecorded(Job job, RuntimeException error) {
    each(l -> l.onOutcomeNotRecorded(job, error));
  }

  @Override
  public void onStoreError(String operation, RuntimeException error) {
    each(l -> l.onStoreError(operation, error));
  }
}
