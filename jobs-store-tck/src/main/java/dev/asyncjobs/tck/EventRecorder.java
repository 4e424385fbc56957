package dev.asyncjobs.tck;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A listener that keeps every event it receives and lets a test wait, with a deadline, until an
 * expected event has arrived. Stores may deliver events on their own threads (a database
 * notification listener, a dispatcher pool), so tests wait on a condition instead of sleeping.
 */
public final class EventRecorder implements JobEventListener {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<JobEvent> events = new ArrayList<>();

  @Override
  public void onEvent(JobEvent event) {
    lock.lock();
    try {
      events.add(event);
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** {@return every event so far, in arrival order} */
  public List<JobEvent> events() {
    lock.lock();
    try {
      return List.copyOf(events);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@return the events of one job so far, in arrival order}
   *
   * @param jobId the job
   */
  public List<JobEvent> eventsOf(UUID jobId) {
    return events().stream().filter(e -> e.jobId().equals(jobId)).collect(Collectors.toList());
  }

  /**
   * {@return the kinds of one job's events so far, in arrival order}
   *
   * @param jobId the job
   */
  public List<JobEvent.Kind> kindsOf(UUID jobId) {
    return eventsOf(jobId).stream().map(JobEvent::kind).collect(Collectors.toList());
  }

  /**
   * Waits until an event matching {@code wanted} has arrived.
   *
   * @param wanted what the event must match
   * @param timeout how long to wait
   * @param what the expectation, for the failure message
   * @return the first matching event
   * @throws AssertionError when none arrived within {@code timeout}; the message lists what did
   */
  public JobEvent await(Predicate<JobEvent> wanted, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (true) {
        for (JobEvent e : events) {
          if (wanted.test(e)) {
            return e;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no event " + what + " within " + timeout + "; received " + events);
        }
        arrived.await(left, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for event " + what, e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until an event of {@code kind} for {@code jobId} has arrived.
   *
   * @param jobId the job
   * @param kind the kind of event
   * @param timeout how long to wait
   * @return the first matching event
   */
  public JobEvent await(UUID jobId, JobEvent.Kind kind, Duration timeout) {
    return await(e -> e.jobId().equals(jobId) && e.kind() == kind, timeout, kind + " of job " + jobId);
  }
}
