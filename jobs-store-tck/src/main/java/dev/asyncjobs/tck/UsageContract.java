package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.Usage;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spi.UsageTotal;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code recordUsage}: what attempts consumed, added to the job in total and per attempt. */
@RequiresCapability(StoreCapability.USAGE)
public interface UsageContract extends StoreFixture {
  /** What the tests' first report says. */
  Usage TEXT = Usage.of("tck-text-1").inputTokens(120).outputTokens(30).build();
  /** What the tests' second report says. */
  Usage IMAGE = Usage.of("tck-image-1").images(2).build().plus(Usage.of("tck-text-1").inputTokens(5).build());

  /** A job no attempt reported anything for has no usage. */
  @Test
  default void aJobWithoutReportsHasNoUsage() {
    Job job = pending();
    assertThat(job.usage()).isEqualTo(Usage.NONE);
    assertThat(job.attemptUsage()).isEmpty();
    assertThat(reload(claimOne(TYPE)).usage()).isEqualTo(Usage.NONE);
  }

  /** Records add up, in total and in the attempt's entry, and change nothing else. */
  @Test
  default void recordsAddUpOnTheJobAndItsAttempt() {
    Job claimed = processing();
    store().recordUsage(lease(claimed), TEXT);
    store().recordUsage(lease(claimed), IMAGE);

    Job after = reload(claimed);
    Usage sum = TEXT.plus(IMAGE);
    assertThat(after.usage()).isEqualTo(sum);
    assertThat(after.usage().amount("tck-text-1", Usage.Unit.INPUT_TOKENS)).isEqualByComparingTo(new BigDecimal(125));
    assertThat(after.attemptUsage()).containsExactly(Map.entry(1, sum));
    assertThat(after.toBuilder().usage(Usage.NONE).attemptUsage(Map.of()).build()).isEqualTo(claimed);
  }

  /** Each attempt has its own entry; the total is their sum; the outcome keeps both. */
  @Test
  default void eachAttemptHasItsOwnEntryAndTheOutcomeKeepsThem() {
    Job first = processing();
    store().recordUsage(lease(first), TEXT);
    store().fail(new Failure(lease(first), "provider error", clock().instant()));
    Job second = claimOne(TYPE);
    assertThat(second.attempts()).isEqualTo(2);
    assertThat(second.usage()).isEqualTo(TEXT);
    store().recordUsage(lease(second), IMAGE);
    Job done = store().complete(new Completion(lease(second), "{}", Duration.ofMillis(5)));

    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.usage()).isEqualTo(TEXT.plus(IMAGE));
    assertThat(done.attemptUsage()).containsExactly(Map.entry(1, TEXT), Map.entry(2, IMAGE));
    assertThat(reload(done)).isEqualTo(done);
  }

  /** A lease that no longer holds records nothing. */
  @Test
  default void aLostLeaseRecordsNothing() {
    Job claimed = processing();
    Lease stale = new Lease(claimed.id(), OTHER_WORKER, claimed.attempts());
    assertThatThrownBy(() -> store().recordUsage(stale, TEXT)).isInstanceOf(LeaseLostException.class);
    Lease oldAttempt = new Lease(claimed.id(), claimed.workerId(), claimed.attempts() + 1);
    assertThatThrownBy(() -> store().recordUsage(oldAttempt, TEXT)).isInstanceOf(LeaseLostException.class);
    store().complete(new Completion(lease(claimed), "{}", Duration.ofMillis(5)));
    assertThatThrownBy(() -> store().recordUsage(lease(claimed), TEXT)).isInstanceOf(LeaseLostException.class);
    assertThat(reload(claimed).usage()).isEqualTo(Usage.NONE);
  }

  /** Usage adds up by type over the jobs created in a window, for one owner or all. */
  @Test
  default void usageAddsUpByTypeOverTheJobsCreatedInAWindow() {
    Instant t0 = clock().instant();
    Job a1 = processing(job().owner(OWNER));
    store().recordUsage(lease(a1), TEXT);
    Job a2 = processing(job().owner(OWNER));
    store().recordUsage(lease(a2), IMAGE);
    insert(job().owner(OWNER).type(OTHER_TYPE)); // no usage: counted as a job all the same
    Job b1 = processing(job().owner(OTHER_OWNER));
    store().recordUsage(lease(b1), TEXT);
    clock().advance(Duration.ofSeconds(10));
    Job later = processing(job().owner(OWNER));
    store().recordUsage(lease(later), TEXT);
    Instant t1 = clock().instant();

    assertThat(store().usageByType(OWNER, t0, t1)).containsExactly(
        new UsageTotal(TYPE, 2, TEXT.plus(IMAGE)), new UsageTotal(OTHER_TYPE, 1, Usage.NONE));
    assertThat(store().usageByType(OWNER, t0, t1.plusMillis(1))).first()
        .isEqualTo(new UsageTotal(TYPE, 3, TEXT.plus(IMAGE).plus(TEXT)));
    assertThat(store().usageByType(null, t0, t1)).containsExactly(
        new UsageTotal(TYPE, 3, TEXT.plus(IMAGE).plus(TEXT)), new UsageTotal(OTHER_TYPE, 1, Usage.NONE));
    assertThat(store().usageByType(OTHER_OWNER, t1, t1.plusSeconds(60))).isEmpty();
    assertThat(store().usageByType("nobody", t0, t1)).isEmpty();
  }

  /** Fractional seconds are kept exactly. */
  @Test
  default void fractionalQuantitiesAreKeptExactly() {
    Job claimed = processing();
    Usage audio = Usage.of("tck-audio-1").seconds(new BigDecimal("12.345")).build();
    store().recordUsage(lease(claimed), audio);
    store().recordUsage(lease(claimed), audio);
    assertThat(reload(claimed).usage().amount("tck-audio-1", Usage.Unit.SECONDS)).isEqualTo(new BigDecimal("24.69"));
  }
}
