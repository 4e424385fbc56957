package dev.asyncjobs.internal;

import dev.asyncjobs.Job;
import dev.asyncjobs.spi.HeartbeatResult;
import dev.asyncjobs.spi.JobStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs due jobs on the calling thread, one claim at a time: the engine of {@code ManualWorker}.
 * No threads, no timers: cancellation is read from the store whenever the generator asks, and
 * timeouts are not enforced (the deadline is still reported).
 */
public final class ManualRunner {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asyncjobs.ManualWorker");

  private final JobStore store;
  private final WorkerConfig config;
  private final AttemptRunner runner;

  /** A runner for the manual worker with these settings. */
  public ManualRunner(JobStore store, Clock clock, GeneratorRegistry registry, WorkerConfig config) {
    this.store = store;
    this.config = config;
    this.runner = new AttemptRunner(store, clock, registry, config);
  }

  /** Claims one due job and runs its attempt to the end. @return the job after the attempt */
  public Optional<Job> runNext() {
    List<Job> claimed = store.claim(config.claimRequest(config.types(), 1));
    if (claimed.isEmpty()) {
      return Optional.empty();
    }
    Job job = claimed.get(0);
    Attempt[] self = new Attempt[1];
    Attempt a = runner.newAttempt(job, null, () -> probe(self[0]));
    self[0] = a;
    runner.run(a, () -> {}, () -> {});
    return store.find(job.id());
  }

  /** Runs due jobs until none is due. @return each attempt's job, in order */
  public List<Job> runDue() {
    List<Job> done = new ArrayList<>();
    for (Optional<Job> next = runNext(); next.isPresent(); next = runNext()) {
      done.add(next.get());
    }
    return done;
  }

  /** Rescues jobs whose lease expired by the store's clock. @return them, after the change */
  public List<Job> rescueExpired() {
    List<Job> rescued = store.rescueExpired(10_000);
    for (Job job : rescued) {
      JobMdc.run(job, () -> {
        LOG.warn("job {} rescued from an expired lease: now {}", job.id(), job.status());
      });
      runner.listener().onRescued(job);
    }
    return rescued;
  }

  /** Asks the store whether the running job was cancelled, or its lease lost (a heartbeat does both). */
  private void probe(Attempt a) {
    HeartbeatResult r = store.heartbeat(List.of(a.lease()), config.leaseDuration());
    if (r.lost().contains(a.job().id())) {
      a.abandon();
    } else if (r.cancelRequested().contains(a.job().id())) {
      a.requestCancel();
    }
  }
}
