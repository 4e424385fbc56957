package dev.asyncjobs.tck;

import static dev.asyncjobs.JobEvent.Kind.CANCELLED;
import static dev.asyncjobs.JobEvent.Kind.CANCEL_REQUESTED;
import static dev.asyncjobs.JobEvent.Kind.COMPLETED;
import static dev.asyncjobs.JobEvent.Kind.CREATED;
import static dev.asyncjobs.JobEvent.Kind.FAILED;
import static dev.asyncjobs.JobEvent.Kind.PROGRESS;
import static dev.asyncjobs.JobEvent.Kind.RETRY_SCHEDULED;
import static dev.asyncjobs.JobEvent.Kind.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.spi.WorkerProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code subscribe}: every change is delivered as the right event, in order per job, until closed. */
public interface EventContract extends StoreFixture {

  /**
   * A recorder subscribed to every owner's events from now; the subscription is closed with the store.
   *
   * @return the recorder
   */
  default EventRecorder subscribed() {
    EventRecorder recorder = new EventRecorder();
    subscribe(recorder);
    return recorder;
  }

  /**
   * Subscribes {@code listener} to every owner's events from now.
   *
   * @param listener the listener
   * @return the subscription
   */
  default Subscription subscribe(JobEventListener listener) {
    return store().subscribe(EventSubscription.allOwners(), listener);
  }

  /** A job's life arrives as events, in order. */
  @Test
  default void aJobsLifeArrivesAsEventsInOrder() {
    EventRecorder events = subscribed();
    Instant created = clock().instant();
    Job job = pending();
    Instant started = clock().advance(Duration.ofSeconds(1));
    Job first = claimOne(TYPE);
    clock().advance(Duration.ofSeconds(1));
    store().reportProgress(new WorkerProgress(lease(first), 10, "ten"));
    Instant progressAt = clock().advance(Duration.ofSeconds(1));
    store().reportProgress(new WorkerProgress(lease(first), 50, "fifty"));
    Instant retryAt = clock().instant().plusSeconds(30);
    store().fail(new Failure(lease(first), "busy upstream", retryAt));
    clock().set(retryAt);
    Job second = claimOne(TYPE);
    store().reportProgress(new WorkerProgress(lease(second), 20, "again"));
    Instant completedAt = clock().advance(Duration.ofSeconds(5));
    store().complete(new Completion(lease(second), "{\"ok\":true}", Duration.ofSeconds(5)));

    events.await(job.id(), COMPLETED, AWAIT);
    List<JobEvent> all = events.eventsOf(job.id());
    assertThat(all).extracting(JobEvent::kind)
        .containsExactly(CREATED, STARTED, PROGRESS, PROGRESS, RETRY_SCHEDULED, STARTED, PROGRESS, COMPLETED);
    assertThat(all).allSatisfy(e -> {
      assertThat(e.ownerId()).isEqualTo(OWNER);
      assertThat(e.type()).isEqualTo(TYPE);
    });
    assertEvent(all.get(0), JobStatus.PENDING, 0, 0, created);
    assertEvent(all.get(1), JobStatus.PROCESSING, 0, 1, started);
    assertEvent(all.get(3), JobStatus.PROCESSING, 50, 1, progressAt);
    assertThat(all.get(3).message()).isEqualTo("fifty");
    assertThat(all.get(4).status()).isEqualTo(JobStatus.PENDING);
    assertThat(all.get(4).message()).isEqualTo("busy upstream");
    assertThat(all.get(4).runAt()).isEqualTo(retryAt);
    assertThat(all.get(5).attempt()).isEqualTo(2);
    assertEvent(all.get(7), JobStatus.COMPLETED, 100, 2, completedAt);
  }

  /** Checks the status, progress, attempt and time of one event. */
  private static void assertEvent(JobEvent e, JobStatus status, int progress, int attempt, Instant at) {
    assertThat(e.status()).as("status of %s", e.kind()).isEqualTo(status);
    assertThat(e.progress()).as("progress of %s", e.kind()).isEqualTo(progress);
    assertThat(e.attempt()).as("attempt of %s", e.kind()).isEqualTo(attempt);
    assertThat(e.at()).as("time of %s", e.kind()).isEqualTo(at);
  }

  /** A final failure arrives as FAILED, with the error. */
  @Test
  default void aFinalFailureArrivesAsFailedWithTheError() {
    EventRecorder events = subscribed();
    Job claimed = processing();
    store().fail(Failure.permanent(lease(claimed), "content policy"));

    JobEvent failed = events.await(claimed.id(), FAILED, AWAIT);

    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.message()).isEqualTo("content policy");
    assertThat(events.kindsOf(claimed.id())).containsExactly(CREATED, STARTED, FAILED);
  }

  /** Cancelling a PENDING job arrives as CANCELLED. */
  @Test
  default void cancellingAPendingJobArrivesAsCancelled() {
    EventRecorder events = subscribed();
    Job job = pending();
    store().cancel(OWNER, job.id());

    assertThat(events.await(job.id(), CANCELLED, AWAIT).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(events.kindsOf(job.id())).containsExactly(CREATED, CANCELLED);
  }

  /** Cancelling a PROCESSING job arrives as CANCEL_REQUESTED, then CANCELLED once. */
  @Test
  default void cancellingAProcessingJobArrivesAsCancelRequestedThenCancelledOnce() {
    EventRecorder events = subscribed();
    Job claimed = processing();
    store().cancel(OWNER, claimed.id());
    store().cancel(OWNER, claimed.id());
    store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1)));

    events.await(claimed.id(), CANCELLED, AWAIT);
    List<JobEvent> all = events.eventsOf(claimed.id());
    assertThat(all).extracting(JobEvent::kind).containsExactly(CREATED, STARTED, CANCEL_REQUESTED, CANCELLED);
    assertThat(all.get(2).status()).isEqualTo(JobStatus.PROCESSING);
  }

  /** Released and rescued jobs arrive as RETRY_SCHEDULED or FAILED. */
  @Test
  default void releasedAndRescuedJobsArriveAsRetryScheduledOrFailed() {
    EventRecorder events = subscribed();
    Job released = processing(job().type("e_release"));
    store().release(lease(released));
    Job rescued = processing(job().type("e_rescue").maxAttempts(2));
    Job exhausted = processing(job().type("e_exhausted").maxAttempts(1));
    clock().advance(LEASE.plusSeconds(1));
    assertThat(store().rescueExpired(10)).hasSize(2);

    events.await(released.id(), RETRY_SCHEDULED, AWAIT);
    JobEvent retry = events.await(rescued.id(), RETRY_SCHEDULED, AWAIT);
    JobEvent failed = events.await(exhausted.id(), FAILED, AWAIT);
    assertThat(retry.message()).containsIgnoringCase("abandoned");
    assertThat(retry.runAt()).isEqualTo(clock().instant());
    assertThat(failed.message()).containsIgnoringCase("abandoned");
    assertThat(events.kindsOf(released.id())).containsExactly(CREATED, STARTED, RETRY_SCHEDULED);
    assertThat(events.kindsOf(exhausted.id())).containsExactly(CREATED, STARTED, FAILED);
  }

  /** An owner's progress update arrives as PROGRESS. */
  @Test
  default void anOwnersProgressUpdateArrivesAsProgress() {
    EventRecorder events = subscribed();
    Job claimed = processing();
    store().updateProgress(new OwnerProgress(OWNER, claimed.id(), 64, "from the API"));

    JobEvent progress = events.await(claimed.id(), PROGRESS, AWAIT);
    assertThat(progress.progress()).isEqualTo(64);
    assertThat(progress.message()).isEqualTo("from the API");
  }

  /** Refused operations and idempotent replays emit no event. */
  @Test
  default void refusedOperationsAndReplaysEmitNoEvent() {
    EventRecorder events = subscribed();
    Job claimed = processing(job().idempotencyKey("once"));
    assertThatThrownBy(() -> store().complete(new Completion(new Lease(claimed.id(), OTHER_WORKER, 1), "{}", Duration.ZERO)))
        .isInstanceOf(LeaseLostException.class);
    assertThat(insert(job().idempotencyKey("once")).id()).isEqualTo(claimed.id());
    store().heartbeat(List.of(lease(claimed)), LEASE);
    store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1)));

    events.await(claimed.id(), COMPLETED, AWAIT);
    assertThat(events.kindsOf(claimed.id())).containsExactly(CREATED, STARTED, COMPLETED);
  }

  /** A batch insert arrives as one CREATED per job. */
  @Test
  default void aBatchInsertArrivesAsOneCreatedPerJob() {
    EventRecorder events = subscribed();
    List<NewJob> batch = List.of(job().build(), job().owner(OTHER_OWNER).build(), job().type(OTHER_TYPE).build());
    store().insert(InsertRequest.of(batch));

    for (NewJob n : batch) {
      JobEvent created = events.await(n.id(), CREATED, AWAIT);
      assertThat(created.ownerId()).isEqualTo(n.ownerId());
      assertThat(created.type()).isEqualTo(n.type());
      assertThat(created.runAt()).isEqualTo(n.runAt());
    }
  }

  /** Closing a subscription stops its delivery. */
  @Test
  default void closingASubscriptionStopsItsDelivery() {
    EventRecorder closed = new EventRecorder();
    EventRecorder open = subscribed();
    Subscription subscription = subscribe(closed);
    Job before = pending();
    closed.await(before.id(), CREATED, AWAIT);

    subscription.close();
    subscription.close(); // idempotent
    Job after = pending();
    store().cancel(OWNER, after.id());

    // The open subscription has seen both events of the later job; the closed one saw none of them.
    open.await(after.id(), CANCELLED, AWAIT);
    assertThat(closed.eventsOf(after.id())).isEmpty();
    assertThat(closed.kindsOf(before.id())).containsExactly(CREATED);
  }

  /** A listener that throws still gets the following events. */
  @Test
  default void aListenerThatThrowsStillGetsTheFollowingEvents() {
    EventRecorder recorder = new EventRecorder();
    subscribe(new JobEventListener() {
      @Override
      public void onEvent(JobEvent event) {
        recorder.onEvent(event);
        throw new IllegalStateException("listener bug (expected by the test)");
      }
    });
    Job one = pending();
    Job two = pending();

    recorder.await(one.id(), CREATED, AWAIT);
    recorder.await(two.id(), CREATED, AWAIT);
  }

  /** The events of jobs changed on many threads arrive in order per job. */
  @Test
  @Timeout(120)
  default void eventsOfJobsChangedOnManyThreadsArriveInOrderPerJob() {
    EventRecorder events = subscribed();
    int threads = 4;
    int jobsPerThread = 15;
    List<Concurrently.Outcome<List<Job>>> outcomes =
        Concurrently.run(threads, AWAIT.multipliedBy(3), t -> {
          String type = "e_thread_" + t;
          List<Job> done = new ArrayList<>();
          for (int i = 0; i < jobsPerThread; i++) {
            insert(job().type(type));
            Job claimed = store().claim(new ClaimRequest("w" + t, Set.of(type), 1, LEASE)).get(0);
            store().reportProgress(new WorkerProgress(lease(claimed), 30, null));
            store().reportProgress(new WorkerProgress(lease(claimed), 60, null));
            done.add(store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1))));
          }
          return done;
        });

    AtomicInteger checked = new AtomicInteger();
    for (Concurrently.Outcome<List<Job>> o : outcomes) {
      assertThat(o.error()).isNull();
      for (Job j : o.value()) {
        events.await(j.id(), COMPLETED, AWAIT);
        assertThat(events.kindsOf(j.id())).containsExactly(CREATED, STARTED, PROGRESS, PROGRESS, COMPLETED);
        assertThat(events.eventsOf(j.id())).extracting(JobEvent::progress).containsExactly(0, 0, 30, 60, 100);
        checked.incrementAndGet();
      }
    }
    assertThat(checked.get()).isEqualTo(threads * jobsPerThread);
  }

  /** When an event arrives, the store already shows the change. */
  @Test
  default void whenAnEventArrivesTheStoreAlreadyShowsTheChange() {
    List<String> stale = java.util.Collections.synchronizedList(new ArrayList<>());
    EventRecorder events = new EventRecorder();
    subscribe(e -> {
      Job seen = store().find(e.jobId()).orElse(null);
      if (seen == null || seen.updatedAt().isBefore(e.at())) {
        stale.add(e.kind() + " at " + e.at() + " but the store showed " + (seen == null ? "no job" : "updatedAt " + seen.updatedAt()));
      }
      events.onEvent(e);
    });
    Job claimed = processing();
    for (int p = 1; p <= 100; p++) {
      clock().advance(Duration.ofMillis(1));
      store().reportProgress(new WorkerProgress(lease(claimed), p, null));
    }
    clock().advance(Duration.ofMillis(1));
    store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1)));

    events.await(claimed.id(), COMPLETED, AWAIT);
    assertThat(stale).as("events delivered before their change was visible").isEmpty();
    assertThat(events.eventsOf(claimed.id())).hasSize(103);
  }
}
