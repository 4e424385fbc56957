package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Lease;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Progress coalescing: few store writes, always of the latest value, in the order reported. */
class ProgressReporterTest {
  private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);

  private final FakeStore store = new FakeStore();
  private final Lease lease = store.claimLeases(1, "w1").get(0);
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final ManualTimer timer = new ManualTimer();
  private final AtomicReference<@Nullable RuntimeException> deferredFailure = new AtomicReference<>();

  @AfterEach
  void close() {
    timer.shutdownNow();
    store.close();
  }

  private ProgressReporter reporter() {
    return new ProgressReporter(store, lease, INTERVAL, now::get, timer, deferredFailure::set);
  }

  private void advance(long nanos) {
    now.addAndGet(nanos);
  }

  /** The progress the store was told, in order, as "percent:message". */
  private List<String> written() {
    return store.events().stream()
        .filter(e -> e.kind() == JobEvent.Kind.PROGRESS && e.jobId().equals(lease.jobId()))
        .map(e -> e.progress() + ":" + e.message()).toList();
  }

  @Test
  void theFirstReportIsWrittenAtOnceAndLaterOnesWithinTheIntervalAreCoalescedIntoOneTimedWrite() {
    ProgressReporter p = reporter();
    p.report(10, "start");
    assertThat(written()).containsExactly("10:start");
    for (int i = 11; i <= 60; i++) {
      p.report(i, "step " + i);
    }
    assertThat(written()).as("nothing more within the interval").containsExactly("10:start");
    assertThat(timer.pending()).as("one timed write, however many reports").isEqualTo(1);

    advance(INTERVAL);
    timer.runPending();
    assertThat(written()).as("the latest value, though the generator fell silent").containsExactly("10:start", "60:step 60");
    assertThat(p.latest()).isEqualTo(60);
  }

  @Test
  void aTimedWriteWaitsOutTheIntervalOfAWriteMadeMeanwhile() {
    ProgressReporter p = reporter();
    p.report(10, null);
    p.report(20, null); // kept for the timer
    advance(INTERVAL / 2);
    timer.runPending(); // fires early (as a late lock would make it): it must not write yet
    assertThat(written()).containsExactly("10:null");
    assertThat(timer.pending()).isEqualTo(1);
    advance(INTERVAL / 2);
    timer.runPending();
    assertThat(written()).containsExactly("10:null", "20:null");
  }

  @Test
  void aReportAfterTheIntervalIsWrittenAtOnceAndTheTimedWriteIsDropped() {
    ProgressReporter p = reporter();
    p.report(10, null);
    p.report(20, null);
    advance(INTERVAL);
    p.report(30, null);
    assertThat(written()).containsExactly("10:null", "30:null");
    assertThat(timer.pending()).isZero();
  }

  @Test
  void flushWritesTheKeptValueAtOnceAndOnlyOnce() {
    ProgressReporter p = reporter();
    p.report(10, null);
    p.report(50, "half");
    p.flush();
    p.flush();
    assertThat(written()).containsExactly("10:null", "50:half");
    assertThat(timer.pending()).isZero();
  }

  @Test
  void theSameValueAgainIsNoReportAndBadValuesAreRefused() {
    ProgressReporter p = reporter();
    p.report(40, "m");
    advance(INTERVAL);
    p.report(40, "m");
    assertThat(written()).containsExactly("40:m");
    assertThatThrownBy(() -> p.report(39, null)).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> p.report(101, null)).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> p.report(-1, null)).isInstanceOf(InvalidRequestException.class);
    assertThat(written()).containsExactly("40:m");
  }

  @Test
  void closeStopsTimedWritesAndTheFinalFlushStillWritesTheKeptValue() {
    ProgressReporter p = reporter();
    p.report(10, null);
    p.report(20, null);
    p.close(); // the generator returned (AttemptRunner closes, then flushes before the outcome)
    assertThat(timer.pending()).isZero();
    advance(INTERVAL);
    timer.runPending();
    assertThat(written()).containsExactly("10:null");
    p.flush();
    assertThat(written()).containsExactly("10:null", "20:null");
  }

  @Test
  void aTimedWriteRefusedForALostLeaseTellsTheAttempt() {
    ProgressReporter p = reporter();
    p.report(10, null);
    p.report(20, null);
    store.complete(new Completion(lease, "{}", Duration.ZERO)); // the job is no longer this attempt's
    advance(INTERVAL);
    timer.runPending();
    assertThat(deferredFailure.get()).isInstanceOf(LeaseLostException.class);
  }

  @Test
  void aReportWrittenAtOnceThrowsALostLease() {
    ProgressReporter p = reporter();
    store.complete(new Completion(lease, "{}", Duration.ZERO));
    assertThatThrownBy(() -> p.report(10, null)).isInstanceOf(LeaseLostException.class);
  }

  @Test
  void aStoreHiccupDoesNotFailTheAttemptAndTheValueIsWrittenLater() {
    ProgressReporter p = reporter();
    store.failNext("reportProgress", new JobStoreException("connection reset", "08006", null));
    p.report(10, null);
    assertThat(written()).isEmpty();
    p.flush();
    assertThat(written()).containsExactly("10:null");
  }

  /**
   * A generator thread reports as fast as it can for a while, on the real clock, while the real
   * timer writes the kept values: at most one write per interval (plus the final flush), never
   * backwards, and the last one is the last reported.
   */
  @Test
  void aFloodOfReportsMakesFewWritesInOrderEndingWithTheLast() throws Exception {
    long interval = TimeUnit.MILLISECONDS.toNanos(20);
    ScheduledThreadPoolExecutor realTimer = new ScheduledThreadPoolExecutor(1);
    try {
      ProgressReporter p = new ProgressReporter(store, lease, interval, System::nanoTime, realTimer, deferredFailure::set);
      int reports = 0;
      long start = System.nanoTime();
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(150)) {
        reports++;
        p.report(Math.min(99, reports / 1000), "step " + reports);
      }
      p.report(100, "done");
      p.flush();
      long elapsed = System.nanoTime() - start;

      List<JobEvent> writes = store.events().stream()
          .filter(e -> e.kind() == JobEvent.Kind.PROGRESS && e.jobId().equals(lease.jobId())).toList();
      assertThat(writes.size()).as("writes for %d reports in %d ms", reports, elapsed / 1_000_000)
          .isBetween(2, (int) (2 + elapsed / interval));
      long lastStep = 0;
      int lastPercent = 0;
      for (JobEvent e : writes.subList(0, writes.size() - 1)) {
        long step = Long.parseLong(e.message().substring("step ".length()));
        assertThat(step).isGreaterThan(lastStep);
        assertThat(e.progress()).isGreaterThanOrEqualTo(lastPercent);
        lastStep = step;
        lastPercent = e.progress();
      }
      assertThat(writes.get(writes.size() - 1).progress()).isEqualTo(100);
      assertThat(writes.get(writes.size() - 1).message()).isEqualTo("done");
      assertThat(deferredFailure.get()).isNull();
    } finally {
      realTimer.shutdownNow();
    }
  }
}
