package dev.asyncjobs.webhooks.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.ClusterTask;
import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.PayloadTooLargeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns finished jobs into delivery jobs. It reads the event log of every owner from a cursor that
 * the cluster keeps in the state of its task row. One worker wins each tick ({@link #claimFirst()}
 * true), so the workers do not all read the same events; the cursor it ends at is saved after the
 * run. A worker that dies mid-run loses nothing: its cursor was not saved, so the next tick starts
 * from the old one, and each delivery's idempotency key ({@code webhook:} and the event's
 * sequence) makes the repeat create nothing new. So does a run that outlasts its interval, which
 * another worker's tick then overlaps.
 *
 * <p>When the cluster has no cursor yet, its first run saves the newest event as of this object's
 * construction (or, if the store could not be read then, of that run) as the cursor, so
 * installing webhooks does not call back for history, and a job that finishes once the worker is
 * started is called back. A cursor that fell behind the log's retention (every dispatcher down for longer) skips
 * to the oldest kept event, with an ERROR naming what was lost.
 */
public final class Dispatcher implements ClusterTask {
  /** The task's name, that of its row. */
  public static final String NAME = "asyncjobs.webhooks";
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Events per read: the most {@link JobAdmin#readEvents} returns. */
  private static final int PAGE = 1000;

  private final JobManager jobs;
  private final JobAdmin admin;
  private final Function<Job, Optional<String>> endpoint;
  private final String deliveryOwner;
  private final int maxAttempts;
  private final int maxBodyBytes;
  private final Duration interval;
  /** The log's newest event when this was made, for a cluster without a cursor; null if unknown. */
  private final @Nullable Long startAt;

  /**
   * @param jobs the manager whose events are read and that creates the deliveries
   * @param endpoint a finished job's callback URL, if it has one
   * @param deliveryOwner the owner of delivery jobs
   * @param maxAttempts the attempts of a delivery job
   * @param maxBodyBytes the largest body with the result in it
   * @param interval how often the dispatcher runs; a run reads pages for at most half of it
   */
  public Dispatcher(JobManager jobs, Function<Job, Optional<String>> endpoint, String deliveryOwner, int maxAttempts,
      int maxBodyBytes, Duration interval) {
    this.jobs = jobs;
    this.admin = JobAdmin.of(jobs);
    this.endpoint = endpoint;
    this.deliveryOwner = deliveryOwner;
    this.maxAttempts = maxAttempts;
    this.maxBodyBytes = maxBodyBytes;
    this.interval = interval;
    Long newest;
    try {
      newest = newestSequence();
    } catch (JobStoreException e) {
      LOG.warn("could not read the event log's position now; the dispatcher's first run will: {}", e.getMessage());
      newest = null;
    }
    this.startAt = newest;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Duration interval() {
    return interval;
  }

  @Override
  public boolean claimFirst() {
    return true;
  }

  @Override
  public String run(@Nullable String state, Instant now) {
    if (state == null) {
      // The first run of the cluster only saves where to start: a crash before a later save then
      // falls back to this cursor, not to some process's own idea of the newest event.
      return Long.toString(startAt != null ? startAt : newestSequence());
    }
    long cursor = Long.parseLong(state);
    // Pages until the log is caught up, or half the interval is spent (so that the next tick, which
    // another worker may win, starts from a saved cursor); at least one.
    long budgetEnd = System.nanoTime() + interval.toNanos() / 2;
    for (int page = 0; page == 0 || System.nanoTime() - budgetEnd < 0; page++) {
      List<JobEvent> events;
      try {
        events = admin.readEvents(cursor, PAGE);
      } catch (EventsPrunedException e) {
        LOG.error("webhooks of the events after {} up to {} are lost: the event log no longer holds them"
            + " (no worker ran the dispatcher for longer than the event retention)", cursor, e.oldestAvailableAfter());
        cursor = e.oldestAvailableAfter();
        continue;
      }
      List<JobEvent> finals = events.stream().filter(e -> isFinal(e) && !Delivery.TYPE_NAME.equals(e.type())).toList();
      // The page's jobs in one read, rather than one read per event.
      Map<UUID, Job> byId = new HashMap<>();
      if (!finals.isEmpty()) {
        admin.find(finals.stream().map(JobEvent::jobId).collect(Collectors.toSet())).forEach(j -> byId.put(j.id(), j));
      }
      for (JobEvent e : finals) {
        Job job = byId.get(e.jobId());
        if (job == null) {
          continue; // deleted since (by retention or an operator): nothing to call back with
        }
        try {
          dispatch(e, job);
        } catch (JobStoreException outage) {
          throw outage; // the run is repeated from the saved cursor
        } catch (RuntimeException e2) {
          // One bad event (an application's endpoint lookup that throws, say) must not stop the rest.
          LOG.warn("webhook of job {} not sent: dispatching it failed", job.id(), e2);
        }
      }
      if (!events.isEmpty()) {
        cursor = events.get(events.size() - 1).sequence();
      }
      if (events.size() < PAGE) {
        break;
      }
    }
    return Long.toString(cursor);
  }

  private static boolean isFinal(JobEvent e) {
    return e.kind() == JobEvent.Kind.COMPLETED || e.kind() == JobEvent.Kind.FAILED || e.kind() == JobEvent.Kind.CANCELLED;
  }

  /** Creates the delivery of one final event, if its job (as read now) has a callback URL. */
  private void dispatch(JobEvent e, Job job) {
    // A final event's kind is named as the status it leaves (COMPLETED, FAILED, CANCELLED).
    if (!job.isFinished() || !job.status().name().equals(e.kind().name())) {
      return; // retried by an operator since: the job's next final event calls back, with its own status
    }
    Optional<String> url = endpoint.apply(job);
    if (url.isEmpty()) {
      return;
    }
    try {
      Job created;
      try {
        created = create(e, job, url.get(), WebhookBody.of(job, e.at(), maxBodyBytes));
      } catch (PayloadTooLargeException tooLarge) {
        // Larger than the manager's payload limit once escaped: send it without the result.
        created = create(e, job, url.get(), WebhookBody.of(job, e.at(), 0));
      }
      LOG.debug("webhook of job {} ({}) is delivery job {}", job.id(), e.kind(), created.id());
    } catch (JobStoreException outage) {
      throw outage; // the run is repeated from the same cursor
    } catch (IdempotencyConflictException changed) {
      LOG.debug("webhook of job {} already has a delivery job of another body", job.id());
    } catch (JobException refused) {
      LOG.warn("webhook of job {} not sent: its delivery job was refused: {}", job.id(), refused.getMessage());
    }
  }

  private Job create(JobEvent e, Job job, String url, String body) {
    Delivery delivery = new Delivery(url, job.ownerId(), "msg_" + job.id() + "_" + e.sequence(), body);
    JobRequest request = JobRequest.builder(deliveryOwner, Delivery.TYPE.name())
        .payload(json(delivery))
        .maxAttempts(maxAttempts)
        .idempotencyKey("webhook:" + e.sequence())
        .metadata("asyncjobs.webhook.job", job.id().toString())
        .build();
    return CreateGuard.asDispatcher(() -> jobs.create(request));
  }

  /**
   * The newest event's sequence, found with the log's own bounds check: a position after the
   * newest event is refused, any other is not. Doubling then halving takes about 2 log2(n) reads of
   * at most one event.
   */
  private long newestSequence() {
    long hi = 1;
    while (hi < Long.MAX_VALUE / 4 && readable(hi)) {
      hi *= 2;
    }
    long lo = 0; // always readable (or pruned, which is readable too for this purpose)
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (readable(mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private boolean readable(long position) {
    try {
      admin.readEvents(position, 1);
      return true;
    } catch (EventsPrunedException e) {
      return true;
    } catch (InvalidRequestException e) {
      return false;
    }
  }

  private static String json(Delivery d) {
    try {
      return JSON.writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a record of strings always writes", e);
    }
  }
}
