package dev.asyncjobs;

import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators do across every owner: search any owner's jobs, inspect one with its attempts'
 * errors, retry, cancel or delete it, pause and resume a type, and read each queue's figures.
 *
 * <p>Not for tenants. Nothing here takes the caller's owner id: every method sees every owner's
 * jobs, so the host decides who reaches it (the example app's {@code /api/admin} routes require
 * the operator claim of the caller's token). Each action names who did it ({@code actor}, e.g. the
 * operator's user id) and is logged at INFO with it. Actions go to the store, so workers in other
 * processes see them as they see any change.
 *
 * <pre>{@code
 * JobAdmin admin = JobAdmin.of(jobs);
 * Page<Job> failed = admin.search(JobQuery.allOwners().statuses(JobStatus.FAILED).errorContains("timeout").build());
 * admin.retry(failed.items().get(0).id(), "ops@example.com");
 * }</pre>
 */
public final class JobAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(JobAdmin.class);
  private static final int EVENT_PAGE = 500;
  /** The most events one {@link #readEvents} returns, as {@link JobManager#readEvents}. */
  private static final int MAX_EVENT_PAGE = 1000;
  /** The most buckets one throughput read may ask for. */
  public static final int MAX_BUCKETS = 10_000;
  /** The longest window of one throughput read. */
  public static final Duration MAX_WINDOW = Duration.ofDays(400);

  private final JobManager jobs;
  private final JobStore store;

  private JobAdmin(JobManager jobs) {
    this.jobs = jobs;
    this.store = jobs.store();
  }

  /**
   * {@return the admin facade of {@code jobs}}
   *
   * @param jobs the manager whose store it reads and changes
   */
  public static JobAdmin of(JobManager jobs) {
    return new JobAdmin(Objects.requireNonNull(jobs, "jobs"));
  }

  /**
   * {@return a page of jobs of any owner} The query may name an owner to filter by, or none
   * ({@link JobQuery#allOwners()}).
   *
   * @param query the filter (types, statuses, owner, creation times, error text) and page
   */
  public Page<Job> search(JobQuery query) {
    return store.query(Objects.requireNonNull(query, "query"));
  }

  /**
   * The jobs of these ids that exist, of every owner, in any order (ids of no job are left out):
   * one store read for many jobs, for a reader of the event log that needs the jobs behind a page
   * of events.
   *
   * @param jobIds at most 1,000 ids
   * @return the jobs found
   * @throws InvalidRequestException more than 1,000 ids
   */
  public List<Job> find(java.util.Collection<UUID> jobIds) {
    Objects.requireNonNull(jobIds, "jobIds");
    java.util.Set<UUID> distinct = new java.util.LinkedHashSet<>(jobIds);
    if (distinct.size() > JobStore.MAX_FIND_ALL) {
      throw new InvalidRequestException("jobIds", "at most " + JobStore.MAX_FIND_ALL + " ids at once, were " + distinct.size());
    }
    return distinct.isEmpty() ? List.of() : store.findAll(distinct);
  }

  /**
   * {@return the job with its events in the log, or empty when there is no such job}
   *
   * @param jobId the job
   */
  public Optional<JobDetail> detail(UUID jobId) {
    Optional<Job> found = store.find(Objects.requireNonNull(jobId, "jobId"));
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Job job = found.get();
    List<JobEvent> events = new ArrayList<>();
    long after = 0;
    while (true) {
      List<JobEvent> page;
      try {
        page = store.readEvents(EventQuery.job(job.ownerId(), jobId, after, EVENT_PAGE));
      } catch (EventsPrunedException e) {
        after = e.oldestAvailableAfter(); // the oldest are gone: show what is kept
        continue;
      }
      page.stream().filter(e -> !e.kind().isOutput()).forEach(events::add);
      if (page.size() < EVENT_PAGE) {
        break;
      }
      after = page.get(page.size() - 1).sequence();
    }
    return Optional.of(new JobDetail(job, events));
  }

  /**
   * Runs a FAILED or CANCELLED job again, due now, with at least one attempt more; its history
   * (events, usage, last error) is kept. Not checked against the owner's quota or budget: an
   * operator decided.
   *
   * @param jobId the job
   * @param actor who asks, for the log (1–200 printable characters)
   * @return the job, PENDING
   * @throws JobNotFoundException no such job
   * @throws IllegalJobStateException it is not FAILED or CANCELLED
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#ADMIN}
   */
  public Job retry(UUID jobId, String actor) {
    checkActor(actor);
    requireAdmin("retry");
    Job job = store.retry(Objects.requireNonNull(jobId, "jobId"));
    LOG.info("operator {} retried job {} of owner {} ({}): attempt {} of {} next", actor, jobId, job.ownerId(), job.type(),
        job.attempts() + 1, job.maxAttempts());
    return job;
  }

  /**
   * Cancels any owner's job, as {@link JobManager#cancel} does for its owner.
   *
   * @param jobId the job
   * @param actor who asks, for the log
   * @return the job after the request: CANCELLED, or PROCESSING with a cancel request
   * @throws JobNotFoundException no such job
   * @throws IllegalJobStateException it has finished
   */
  public Job cancel(UUID jobId, String actor) {
    checkActor(actor);
    Job job = store.find(Objects.requireNonNull(jobId, "jobId")).orElseThrow(() -> new JobNotFoundException(jobId));
    Job after = jobs.cancel(job.ownerId(), jobId);
    LOG.info("operator {} cancelled job {} of owner {} ({}): now {}", actor, jobId, job.ownerId(), job.type(), after.status());
    return after;
  }

  /**
   * Deletes a finished job of any owner; its events stay until they are pruned.
   *
   * @param jobId the job
   * @param actor who asks, for the log
   * @return the job as it was
   * @throws JobNotFoundException no such job
   * @throws IllegalJobStateException it has not finished (cancel it first)
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#ADMIN}
   */
  public Job delete(UUID jobId, String actor) {
    checkActor(actor);
    requireAdmin("delete");
    Job job = store.delete(Objects.requireNonNull(jobId, "jobId"));
    LOG.info("operator {} deleted job {} of owner {} ({}, {})", actor, jobId, job.ownerId(), job.type(), job.status());
    return job;
  }

  /**
   * Pauses a job type or resource for every worker, as {@link JobManager#pause} does.
   *
   * @param name the type or resource
   * @param actor who asks, for the log
   */
  public void pause(String name, String actor) {
    checkActor(actor);
    jobs.pause(name);
    LOG.info("operator {} paused {}", actor, name);
  }

  /**
   * Resumes a paused type or resource, as {@link JobManager#resume} does.
   *
   * @param name the type or resource
   * @param actor who asks, for the log
   */
  public void resume(String name, String actor) {
    checkActor(actor);
    jobs.resume(name);
    LOG.info("operator {} resumed {}", actor, name);
  }

  /**
   * Up to {@code limit} (1–1000) events of every owner after {@code afterSequence}, in sequence
   * order: {@link JobManager#readEvents} across owners, for an operator's stream that catches up.
   *
   * @param afterSequence the sequence of the last event the caller saw
   * @param limit the most events to return, 1–1000
   * @return the events, oldest first
   * @throws EventsPrunedException the log no longer holds events after that position
   * @throws InvalidRequestException a negative position or one beyond the newest event, or a limit
   *     outside 1–1000
   */
  public List<JobEvent> readEvents(long afterSequence, int limit) {
    EventQuery query = EventQuery.allOwners(afterSequence, limit); // checks the position
    if (limit < 1 || limit > MAX_EVENT_PAGE) {
      throw new InvalidRequestException("limit", "limit must be 1-" + MAX_EVENT_PAGE + ", was " + limit);
    }
    return store.readEvents(query);
  }

  /**
   * Every owner's events from now on: {@link JobManager#subscribeAll(JobEventListener)}.
   *
   * @param listener called on the manager's event threads
   * @return the subscription; close it to stop
   */
  public Subscription subscribe(JobEventListener listener) {
    return jobs.subscribeAll(listener);
  }

  /**
   * Every owner's events after {@code afterSequence}, then live: {@link
   * JobManager#subscribeAll(long, JobEventListener)}.
   *
   * @param afterSequence the sequence of the last event the caller saw
   * @param listener called on the manager's event threads
   * @return the subscription; close it to stop
   * @throws EventsPrunedException the log no longer holds events after that position
   */
  public Subscription subscribe(long afterSequence, JobEventListener listener) {
    return jobs.subscribeAll(afterSequence, listener);
  }

  /** {@return each type's queue now: pending, due, running, the oldest due job's wait} */
  public List<QueueStats> queues() {
    return jobs.queueStats();
  }

  /**
   * {@return how many jobs finished in each {@code bucket} of the last {@code window}, by type and
   * status} Buckets are counted back from now (the newest ends now); empty ones are left out.
   *
   * @param window how far back, e.g. an hour or a day; at most 400 days
   * @param bucket the bucket width, whole milliseconds, at least a second, at most the window, and
   *     at most {@value #MAX_BUCKETS} buckets in the window
   * @throws InvalidRequestException a window or bucket out of range
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#ADMIN}
   */
  public List<FinishedCount> throughput(Duration window, Duration bucket) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(bucket, "bucket");
    if (window.compareTo(MAX_WINDOW) > 0) {
      throw new InvalidRequestException("window", "window must be at most " + MAX_WINDOW.toDays() + " days, was " + window);
    }
    if (bucket.compareTo(Duration.ofSeconds(1)) < 0 || bucket.compareTo(window) > 0 || bucket.getNano() % 1_000_000 != 0) {
      throw new InvalidRequestException("bucket",
          "bucket must be whole milliseconds, at least 1 s and at most the window (" + window + "), was " + bucket);
    }
    long buckets = (window.toMillis() + bucket.toMillis() - 1) / bucket.toMillis();
    if (buckets > MAX_BUCKETS) {
      throw new InvalidRequestException("window", "a window of " + window + " holds " + buckets + " buckets of " + bucket
          + ": at most " + MAX_BUCKETS);
    }
    requireAdmin("throughput");
    Instant now = store.clock().instant();
    Instant from = now.minus(bucket.multipliedBy(buckets));
    // Up to and including now: a job that finished at this very instant is in the newest bucket.
    return store.finishedCounts(from, now.plusNanos(1000), bucket);
  }

  private void requireAdmin(String what) {
    if (!store.capabilities().contains(StoreCapability.ADMIN)) {
      throw new UnsupportedCapabilityException(StoreCapability.ADMIN, "JobAdmin." + what, store.getClass().getName(),
          "use a store that declares ADMIN (both bundled stores do)");
    }
  }

  private static void checkActor(String actor) {
    if (actor == null || actor.isBlank() || actor.length() > 200 || actor.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRequestException("actor",
          "actor must be 1-200 characters, not blank and without control characters (it goes into the log)");
    }
  }
}
