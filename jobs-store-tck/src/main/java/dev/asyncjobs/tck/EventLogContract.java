package dev.asyncjobs.tck;

import static dev.asyncjobs.JobEvent.Kind.COMPLETED;
import static dev.asyncjobs.JobEvent.Kind.CREATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.WorkerProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The event log: store-wide sequence numbers, subscriptions from now or after a position (each
 * event once, in sequence order), reads, owner scoping, retention and pruned positions.
 */
public interface EventLogContract extends StoreFixture {

  /**
   * Every event of the log after {@code after}, read in pages until the log is settled that far.
   *
   * @param ownerId the owner, or {@code null} for every owner
   * @param after the position to read after
   * @param expected how many events are expected, which tells when the log is settled
   * @return the events, in sequence order
   */
  default List<JobEvent> allEventsAfter(@Nullable String ownerId, long after, int expected) {
    List<JobEvent> all = new ArrayList<>();
    long position = after;
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (all.size() < expected) {
      List<JobEvent> page = store().readEvents(new EventQuery(ownerId, position, 100));
      all.addAll(page);
      if (!page.isEmpty()) {
        position = page.get(page.size() - 1).sequence();
      } else if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + all.size() + " of " + expected + " events after " + after + " became readable");
      }
    }
    return all;
  }

  /**
   * Makes {@code jobs} jobs go through create, claim, progress and completion: four events each.
   *
   * @param jobs how many jobs
   * @param type their type
   * @return the jobs, COMPLETED
   */
  default List<Job> lifecycles(int jobs, String type) {
    List<Job> done = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      insert(job().type(type));
      Job claimed = store().claim(new ClaimRequest(WORKER, Set.of(type), 1, LEASE)).get(0);
      store().reportProgress(new WorkerProgress(lease(claimed), 50, "half"));
      done.add(store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1))));
    }
    return done;
  }

  /** {@return the newest sequence of the log, read through a subscription from now} */
  default long head() {
    try (Subscription s = store().subscribe(EventSubscription.allOwners(), e -> {})) {
      return s.startedAfter();
    }
  }

  private static List<Long> sequences(List<JobEvent> events) {
    return events.stream().map(JobEvent::sequence).collect(Collectors.toList());
  }

  private static void assertStrictlyIncreasing(List<JobEvent> events) {
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).sequence())
          .as("sequence of event %d (%s) after %s", i, events.get(i), events.get(i - 1))
          .isGreaterThan(events.get(i - 1).sequence());
    }
  }

  /** Every change gets a store-wide, strictly increasing sequence. */
  @Test
  default void everyChangeGetsAStoreWideStrictlyIncreasingSequence() {
    long start = head();
    Job a = pending();
    Job b = insert(job().owner(OTHER_OWNER).type(OTHER_TYPE));
    Job claimed = claimOne(TYPE);
    store().cancel(OTHER_OWNER, b.id());
    store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1)));

    List<JobEvent> events = allEventsAfter(null, start, 5);
    assertThat(events).extracting(JobEvent::jobId).containsExactly(a.id(), b.id(), a.id(), b.id(), a.id());
    assertStrictlyIncreasing(events);
    assertThat(events.get(0).sequence()).isGreaterThan(start);
    assertThat(store().readEvents(EventQuery.allOwners(events.get(4).sequence(), 100))).isEmpty();
  }

  /** A subscription from now gets only later events, and starts after the newest. */
  @Test
  default void aSubscriptionFromNowGetsOnlyLaterEventsAndStartsAfterTheNewest() {
    long start = head();
    Job before = pending();
    long newest = allEventsAfter(null, start, 1).get(0).sequence();
    EventRecorder events = new EventRecorder();
    try (Subscription s = store().subscribe(EventSubscription.allOwners(), events)) {
      assertThat(s.startedAfter()).isEqualTo(newest);
      Job after = pending();
      events.await(after.id(), CREATED, AWAIT);
      store().cancel(OWNER, before.id());
      events.await(e -> e.jobId().equals(before.id()), AWAIT, "the cancel of the earlier job");
      assertThat(events.kindsOf(before.id())).containsExactly(JobEvent.Kind.CANCELLED);
    }
  }

  /**
   * A resumed subscription gets exactly the events it missed, in order, then the live ones.
   *
   * @throws Exception when closing a subscription fails
   */
  @Test
  @Timeout(180)
  default void aResumedSubscriptionGetsExactlyTheEventsItMissedInOrderThenTheLiveOnes() throws Exception {
    EventRecorder first = new EventRecorder();
    long lastSeen;
    try (Subscription s = store().subscribe(EventSubscription.allOwners(), first)) {
      Job seen = pending();
      lastSeen = first.await(seen.id(), CREATED, AWAIT).sequence();
    }
    // 1,000 events while nobody listens: 250 jobs of two owners, four events each.
    for (int i = 0; i < 125; i++) {
      lifecycles(1, "log_missed");
      NewJob other = job().owner(OTHER_OWNER).type("log_missed_b").build();
      store().insert(InsertRequest.of(other));
      Job c = store().claim(new ClaimRequest(WORKER, Set.of("log_missed_b"), 1, LEASE)).get(0);
      store().reportProgress(new WorkerProgress(lease(c), 10, null));
      store().complete(new Completion(lease(c), "{}", Duration.ofSeconds(1)));
    }
    List<JobEvent> missed = allEventsAfter(null, lastSeen, 1000);
    assertThat(missed).hasSize(1000);

    EventRecorder resumed = new EventRecorder();
    try (Subscription s = store().subscribe(EventSubscription.allOwners().after(lastSeen), resumed)) {
      assertThat(s.startedAfter()).isEqualTo(lastSeen);
      resumed.await(e -> e.sequence() == missed.get(999).sequence(), AWAIT, "the last missed event");
      Job live = pending();
      resumed.await(live.id(), CREATED, AWAIT);
      List<JobEvent> got = resumed.events();
      assertThat(got.subList(0, 1000)).as("the missed events, in order, each once").isEqualTo(missed);
      assertThat(got).hasSize(1001);
      assertThat(got.get(1000).jobId()).isEqualTo(live.id());
    }
  }

  /** An owner's subscription and read hold only that owner's events, also on resume. */
  @Test
  default void anOwnersSubscriptionAndReadHoldOnlyThatOwnersEventsAlsoOnResume() {
    long start = head();
    Job mine = pending();
    Job theirs = insert(job().owner(OTHER_OWNER));
    store().cancel(OTHER_OWNER, theirs.id());
    store().cancel(OWNER, mine.id());

    List<JobEvent> own = allEventsAfter(OWNER, start, 2);
    assertThat(own).extracting(JobEvent::jobId).containsOnly(mine.id());
    assertThat(own).extracting(JobEvent::ownerId).containsOnly(OWNER);
    long lastOfMine = own.get(1).sequence();
    assertThat(store().readEvents(EventQuery.owner(OWNER, lastOfMine, 100))).isEmpty();

    EventRecorder resumed = new EventRecorder();
    try (Subscription s = store().subscribe(EventSubscription.owner(OWNER).after(start), resumed)) {
      Job later = pending();
      Job laterTheirs = insert(job().owner(OTHER_OWNER));
      resumed.await(later.id(), CREATED, AWAIT);
      store().cancel(OTHER_OWNER, laterTheirs.id());
      store().cancel(OWNER, later.id());
      resumed.await(later.id(), JobEvent.Kind.CANCELLED, AWAIT);
      assertThat(resumed.events()).extracting(JobEvent::ownerId).containsOnly(OWNER);
      assertThat(resumed.events()).extracting(JobEvent::jobId).containsExactly(mine.id(), mine.id(), later.id(), later.id());
    }
  }

  /** A subscription of some kinds gets only those, on resume and live. */
  @Test
  default void aSubscriptionOfSomeKindsGetsOnlyThoseOnResumeAndLive() {
    long start = head();
    Job done = processing();
    store().complete(new Completion(lease(done), "{}", Duration.ofSeconds(1)));
    EventRecorder created = new EventRecorder();
    try (Subscription s = store().subscribe(
        EventSubscription.allOwners().after(start).kinds(java.util.EnumSet.of(CREATED, COMPLETED)), created)) {
      Job later = pending();
      created.await(later.id(), CREATED, AWAIT);
      assertThat(created.events()).extracting(JobEvent::kind).containsExactly(CREATED, COMPLETED, CREATED);
      assertThat(created.events()).extracting(JobEvent::jobId).containsExactly(done.id(), done.id(), later.id());
    }
  }

  /** Reading is paged, and a page ends where the next begins. */
  @Test
  default void readingIsPagedAndAPageEndsWhereTheNextBegins() {
    long start = head();
    for (int i = 0; i < 25; i++) {
      pending();
    }
    List<JobEvent> all = allEventsAfter(null, start, 25);
    List<JobEvent> first = store().readEvents(EventQuery.allOwners(start, 10));
    assertThat(first).isEqualTo(all.subList(0, 10));
    assertThat(store().readEvents(EventQuery.allOwners(first.get(9).sequence(), 10))).isEqualTo(all.subList(10, 20));
    assertThat(store().readEvents(EventQuery.allOwners(start, 0))).isEmpty();
  }

  /**
   * Events written on many threads at once are delivered each once, in sequence order, without
   * gaps.
   */
  @Test
  @Timeout(180)
  default void eventsWrittenOnManyThreadsAtOnceAreDeliveredEachOnceInSequenceOrderWithoutGaps() {
    long start = head();
    List<JobEvent> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
    int threads = 8;
    int jobsPerThread = 20;
    try (Subscription s = store().subscribe(EventSubscription.allOwners(), delivered::add)) {
      List<Concurrently.Outcome<List<Job>>> outcomes =
          Concurrently.run(threads, AWAIT.multipliedBy(3), t -> lifecycles(jobsPerThread, "log_thread_" + t));
      outcomes.forEach(o -> assertThat(o.error()).isNull());
      int expected = threads * jobsPerThread * 4;
      List<JobEvent> log = allEventsAfter(null, start, expected);
      long deadline = System.nanoTime() + AWAIT.toNanos();
      while (delivered.size() < expected && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      List<JobEvent> got;
      synchronized (delivered) {
        got = List.copyOf(delivered);
      }
      assertThat(got).as("delivered, in order, each once, as the log holds them").isEqualTo(log);
      assertStrictlyIncreasing(got);
      assertThat(new HashSet<>(sequences(got))).hasSize(expected);
    }
  }

  /**
   * A subscription resumed while writes go on misses nothing.
   *
   * @throws Exception when the test thread is interrupted, or closing the subscription fails
   */
  @Test
  @Timeout(120)
  default void aSubscriptionResumedWhileWritesGoOnMissesNothing() throws Exception {
    long start = head();
    Thread writer = new Thread(() -> lifecycles(40, "log_ongoing"));
    writer.start();
    // Resume from the start while the writer is somewhere in the middle.
    List<JobEvent> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
    try (Subscription s = store().subscribe(EventSubscription.allOwners().after(start), delivered::add)) {
      writer.join(TimeUnit.SECONDS.toMillis(60));
      List<JobEvent> log = allEventsAfter(null, start, 160);
      long deadline = System.nanoTime() + AWAIT.toNanos();
      while (delivered.size() < 160 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      synchronized (delivered) {
        assertThat(delivered).isEqualTo(log);
      }
    }
  }

  /**
   * Pruning deletes the oldest events before the cutoff, in batches, and a resume before them is
   * a
   * typed error.
   */
  @Test
  default void pruningDeletesTheOldestEventsBeforeTheCutoffInBatchesAndAResumeBeforeThemIsATypedError() {
    long start = head();
    for (int i = 0; i < 5; i++) {
      pending();
    }
    Instant cutoff = clock().advance(Duration.ofHours(25));
    Job young = pending();
    List<JobEvent> all = allEventsAfter(null, start, 6);

    assertThat(store().pruneEvents(cutoff, 2)).isEqualTo(2);
    assertThat(store().pruneEvents(cutoff, 100)).isEqualTo(3);
    assertThat(store().pruneEvents(cutoff, 100)).isZero();

    long prunedThrough = all.get(4).sequence();
    assertThatThrownBy(() -> store().readEvents(EventQuery.allOwners(start, 10)))
        .isInstanceOfSatisfying(EventsPrunedException.class, e -> {
          assertThat(e.requestedAfter()).isEqualTo(start);
          assertThat(e.oldestAvailableAfter()).isEqualTo(prunedThrough);
          assertThat(e.code()).isEqualTo("events_pruned");
        });
    assertThatThrownBy(() -> store().subscribe(EventSubscription.allOwners().after(all.get(3).sequence()), e -> {}))
        .isInstanceOf(EventsPrunedException.class);
    assertThat(store().readEvents(EventQuery.allOwners(prunedThrough, 10))).extracting(JobEvent::jobId).containsExactly(young.id());
    EventRecorder fromOldest = new EventRecorder();
    try (Subscription s = store().subscribe(EventSubscription.allOwners().after(prunedThrough), fromOldest)) {
      fromOldest.await(young.id(), CREATED, AWAIT);
    }
  }

  /**
   * A subscription that falls behind the pruning hears so, and gets nothing more.
   *
   * @throws Exception when the test thread is interrupted, or closing the subscription fails
   */
  @Test
  default void aSubscriptionThatFallsBehindThePruningHearsSoAndGetsNothingMore() throws Exception {
    long start = head();
    Job old = pending();
    List<JobEvent> kept = allEventsAfter(null, start, 1);
    // A subscriber stuck in its first event while the log is pruned under it.
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<EventsPrunedException> told = new AtomicReference<>();
    List<JobEvent> got = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch ended = new CountDownLatch(1);
    JobEventListener slow = new JobEventListener() {
      @Override
      public void onEvent(JobEvent event) {
        got.add(event);
        inFirst.countDown();
        try {
          release.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onPruned(EventsPrunedException pruned) {
        told.set(pruned);
        ended.countDown();
      }
    };
    try (Subscription s = store().subscribe(EventSubscription.allOwners().after(start), slow)) {
      assertThat(inFirst.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      // While it is stuck on the first event: more events, then all of them pruned.
      for (int i = 0; i < 3; i++) {
        pending();
      }
      allEventsAfter(null, kept.get(0).sequence(), 3);
      Instant cutoff = clock().advance(Duration.ofHours(25));
      assertThat(store().pruneEvents(cutoff, 100)).isEqualTo(4);
      release.countDown();
      assertThat(ended.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).as("onPruned called").isTrue();
      assertThat(told.get().requestedAfter()).isEqualTo(kept.get(0).sequence());
      Job later = pending();
      assertThat(store().readEvents(EventQuery.allOwners(told.get().oldestAvailableAfter(), 10))).extracting(JobEvent::jobId)
          .containsExactly(later.id());
      assertThat(got).extracting(JobEvent::jobId).containsExactly(old.id());
    }
  }

  /** Positions beyond the newest event, or negative, are refused with a typed error. */
  @Test
  default void positionsBeyondTheNewestEventOrNegativeAreRefusedWithATypedError() {
    long start = head();
    pending();
    long newest = allEventsAfter(null, start, 1).get(0).sequence();
    assertThat(newest).isPositive();

    assertThatThrownBy(() -> store().readEvents(EventQuery.allOwners(newest + 1000, 10)))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("after"));
    assertThatThrownBy(() -> store().subscribe(EventSubscription.allOwners().after(newest + 1000), e -> {}))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("after"));
    assertThatThrownBy(() -> store().readEvents(EventQuery.allOwners(-1, 10))).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> store().readEvents(EventQuery.allOwners(0, -1))).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> EventSubscription.allOwners().after(-1)).isInstanceOf(InvalidRequestException.class);
  }

  /** Events carry the job as it was after the change. */
  @Test
  default void eventsCarryTheJobAsItWasAfterTheChange() {
    long start = head();
    Job claimed = processing();
    store().reportProgress(new WorkerProgress(lease(claimed), 42, "x".repeat(1500)));
    Job done = store().complete(new Completion(lease(claimed), "{}", Duration.ofSeconds(1)));
    List<JobEvent> events = allEventsAfter(null, start, 4);
    assertThat(events).extracting(JobEvent::kind)
        .containsExactly(CREATED, JobEvent.Kind.STARTED, JobEvent.Kind.PROGRESS, COMPLETED);
    JobEvent progress = events.get(2);
    assertThat(progress.progress()).isEqualTo(42);
    assertThat(progress.message()).as("messages are cut to %d characters", JobEvent.MAX_MESSAGE_LENGTH)
        .isEqualTo("x".repeat(JobEvent.MAX_MESSAGE_LENGTH));
    assertThat(events.get(3).at()).isEqualTo(done.updatedAt());
    assertThat(events.get(3).status()).isEqualTo(done.status());
  }
}
