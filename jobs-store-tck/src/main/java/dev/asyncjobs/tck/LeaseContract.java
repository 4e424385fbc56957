package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.HeartbeatResult;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.WorkerProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Leases: fencing of worker writes, heartbeats, and the rescue of expired leases. */
public interface LeaseContract extends StoreFixture {

  /** A write a worker makes under a lease. */
  enum WorkerWrite {
    /** {@link JobStore#reportProgress}. */
    REPORT_PROGRESS,
    /** {@link JobStore#complete}. */
    COMPLETE,
    /** {@link JobStore#fail} without a retry. */
    FAIL,
    /** {@link JobStore#fail} with a retry time. */
    FAIL_WITH_RETRY,
    /** {@link JobStore#release}. */
    RELEASE,
    /** {@link JobStore#acknowledgeCancel}. */
    ACKNOWLEDGE_CANCEL;

    /**
     * Makes this write.
     *
     * @param store the store
     * @param lease the lease the write is made with
     * @return the job after the write
     */
    public Job apply(JobStore store, Lease lease) {
      return switch (this) {
        case REPORT_PROGRESS -> store.reportProgress(new WorkerProgress(lease, 50, "half way"));
        case COMPLETE -> store.complete(new Completion(lease, "{\"url\":\"https://example.test/x.png\"}", Duration.ofSeconds(3)));
        case FAIL -> store.fail(Failure.permanent(lease, "provider said no"));
        case FAIL_WITH_RETRY -> store.fail(new Failure(lease, "provider busy", store.clock().instant().plusSeconds(30)));
        case RELEASE -> store.release(lease);
        case ACKNOWLEDGE_CANCEL -> store.acknowledgeCancel(lease);
      };
    }
  }

  /** How a worker loses its lease. */
  enum LeaseLoss {
    /** The lease expired and the job was rescued (now PENDING). */
    RESCUED,
    /** The lease names another worker than the one holding the job. */
    OTHER_WORKER,
    /** The same worker claimed the job again: the lease of the earlier attempt is stale. */
    STALE_ATTEMPT
  }

  /** {@return every write against every way of losing a lease} */
  static Stream<Arguments> writesAndLosses() {
    return Arrays.stream(WorkerWrite.values())
        .flatMap(w -> Arrays.stream(LeaseLoss.values()).map(l -> Arguments.of(w, l)));
  }

  /**
   * Claims a job and loses its lease the way {@code loss} says; returns the lost lease.
   *
   * @param loss how the lease is lost
   * @return the lost lease
   */
  default Lease loseLease(LeaseLoss loss) {
    Job claimed = processing();
    switch (loss) {
      case RESCUED -> {
        clock().advance(LEASE.plusSeconds(1));
        assertThat(store().rescueExpired(10)).extracting(Job::id).containsExactly(claimed.id());
        return lease(claimed);
      }
      case OTHER_WORKER -> {
        return new Lease(claimed.id(), OTHER_WORKER, claimed.attempts());
      }
      case STALE_ATTEMPT -> {
        store().fail(new Failure(lease(claimed), "try again", clock().instant()));
        Job again = claimOne(TYPE);
        assertThat(again.attempts()).isEqualTo(2);
        assertThat(again.workerId()).isEqualTo(claimed.workerId());
        return lease(claimed);
      }
      default -> throw new IllegalArgumentException(loss.name());
    }
  }

  /**
   * A write with a lost lease is refused and changes nothing.
   *
   * @param write the worker's write
   * @param loss how the lease was lost
   */
  @ParameterizedTest(name = "{0} with a lease lost by {1} is refused and changes nothing")
  @MethodSource("dev.asyncjobs.tck.LeaseContract#writesAndLosses")
  default void aWriteWithALostLeaseIsRefusedAndChangesNothing(WorkerWrite write, LeaseLoss loss) {
    Lease lost = loseLease(loss);
    Job before = reload(lost.jobId());
    clock().advance(Duration.ofSeconds(1));

    assertThatThrownBy(() -> write.apply(store(), lost))
        .isInstanceOfSatisfying(LeaseLostException.class, e -> {
          assertThat(e.jobId()).isEqualTo(lost.jobId());
          assertThat(e.workerId()).isEqualTo(lost.workerId());
        });
    assertUnchanged(before);
  }

  /** A write to an unknown job is a lost lease. */
  @Test
  default void aWriteToAnUnknownJobIsALostLease() {
    Lease ghost = new Lease(UUID.randomUUID(), WORKER, 1);
    for (WorkerWrite write : WorkerWrite.values()) {
      assertThatThrownBy(() -> write.apply(store(), ghost)).as("%s", write).isInstanceOf(LeaseLostException.class);
    }
    assertThat(store().find(ghost.jobId())).isEmpty();
  }

  /** An expired lease that was not rescued still allows writes. */
  @Test
  default void anExpiredLeaseThatWasNotRescuedStillAllowsWrites() {
    Job claimed = processing();
    clock().advance(LEASE.plusMinutes(5));

    assertThat(store().reportProgress(new WorkerProgress(lease(claimed), 40, "still going")).progress()).isEqualTo(40);
    HeartbeatResult beat = store().heartbeat(List.of(lease(claimed)), LEASE);
    assertThat(beat.lost()).as("an expired lease nobody rescued is still held").isEmpty();
    assertThat(reload(claimed).leaseUntil()).isEqualTo(clock().instant().plus(LEASE));
    Job done = store().complete(new Completion(lease(claimed), "{\"ok\":1}", Duration.ofMinutes(5)));
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(store().rescueExpired(10)).isEmpty();
  }

  /** A heartbeat extends the leases the worker holds. */
  @Test
  default void heartbeatExtendsTheLeasesTheWorkerHolds() {
    Job a = processing(job().type("h_a"));
    Job b = processing(job().type("h_b"));
    Instant now = clock().advance(Duration.ofSeconds(20));

    HeartbeatResult result = store().heartbeat(List.of(lease(a), lease(b)), Duration.ofSeconds(90));

    assertThat(result.lost()).isEmpty();
    assertThat(result.cancelRequested()).isEmpty();
    assertThat(reload(a).leaseUntil()).isEqualTo(now.plusSeconds(90));
    assertThat(reload(b).leaseUntil()).isEqualTo(now.plusSeconds(90));
    assertThat(reload(a).status()).isEqualTo(JobStatus.PROCESSING);
  }

  /** A heartbeat keeps a job from being rescued. */
  @Test
  default void heartbeatKeepsAJobFromBeingRescued() {
    Job claimed = processing();
    clock().advance(LEASE.minusSeconds(5));
    store().heartbeat(List.of(lease(claimed)), LEASE);
    clock().advance(LEASE.minusSeconds(5));

    assertThat(store().rescueExpired(10)).isEmpty();
    assertThat(reload(claimed).status()).isEqualTo(JobStatus.PROCESSING);
    clock().advance(Duration.ofSeconds(6));
    assertThat(store().rescueExpired(10)).extracting(Job::id).containsExactly(claimed.id());
  }

  /** A heartbeat reports lost leases and requested cancellations. */
  @Test
  default void heartbeatReportsLostLeasesAndRequestedCancellations() {
    Job held = processing(job().type("h_held"));
    Job toCancel = processing(job().type("h_cancel"));
    Job finished = processing(job().type("h_done"));
    insert(job().type("h_short"));
    Job shortLease = store().claim(new ClaimRequest(WORKER, Set.of("h_short"), 1, Duration.ofSeconds(1))).get(0);
    store().cancel(OWNER, toCancel.id());
    store().complete(new Completion(lease(finished), "{}", Duration.ofSeconds(1)));
    Instant now = clock().advance(Duration.ofSeconds(2));
    assertThat(store().rescueExpired(10)).extracting(Job::id).containsExactly(shortLease.id());
    Lease unknown = new Lease(UUID.randomUUID(), WORKER, 1);

    HeartbeatResult result =
        store().heartbeat(List.of(lease(held), lease(toCancel), lease(finished), lease(shortLease), unknown), LEASE);

    assertThat(result.lost()).containsExactlyInAnyOrder(finished.id(), shortLease.id(), unknown.jobId());
    assertThat(result.cancelRequested()).containsExactly(toCancel.id());
    assertThat(reload(held).leaseUntil()).isEqualTo(now.plus(LEASE));
    assertThat(reload(toCancel).leaseUntil()).as("a job being cancelled is still held").isEqualTo(now.plus(LEASE));
    assertThat(reload(toCancel).status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(reload(shortLease).status()).isEqualTo(JobStatus.PENDING);
    assertThat(reload(shortLease).leaseUntil()).isNull();
    assertThat(reload(finished).status()).isEqualTo(JobStatus.COMPLETED);
  }

  /** A heartbeat with a lease of another worker does not extend it. */
  @Test
  default void heartbeatWithALeaseOfAnotherWorkerDoesNotExtendIt() {
    Job claimed = processing();
    Instant leaseUntil = claimed.leaseUntil();
    clock().advance(Duration.ofSeconds(10));

    HeartbeatResult result = store().heartbeat(List.of(new Lease(claimed.id(), OTHER_WORKER, 1)), Duration.ofHours(1));

    assertThat(result.lost()).containsExactly(claimed.id());
    assertThat(reload(claimed).leaseUntil()).isEqualTo(leaseUntil);
  }

  /** An expired lease is rescued back to PENDING, due now, with its attempt kept. */
  @Test
  default void anExpiredLeaseIsRescuedBackToPendingDueNowWithItsAttemptKept() {
    Job claimed = processing(job().maxAttempts(3));
    Instant now = clock().advance(LEASE.plusSeconds(1));

    List<Job> rescued = store().rescueExpired(10);

    assertThat(rescued).hasSize(1);
    Job r = rescued.get(0);
    assertThat(r.id()).isEqualTo(claimed.id());
    assertThat(r.status()).isEqualTo(JobStatus.PENDING);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.runAt()).isEqualTo(now);
    assertThat(r.leaseUntil()).isNull();
    assertThat(r.errorMessage()).containsIgnoringCase("abandoned").contains(WORKER);
    assertThat(r.finishedAt()).isNull();
    assertSameJob(reload(r), r);
    assertThat(claimOne(TYPE).attempts()).as("the next attempt counts on").isEqualTo(2);
  }

  /** An expired lease on the last attempt is rescued as FAILED. */
  @Test
  default void anExpiredLeaseOnTheLastAttemptIsRescuedAsFailed() {
    Job claimed = processing(job().maxAttempts(1));
    Instant now = clock().advance(LEASE.plusSeconds(1));

    List<Job> rescued = store().rescueExpired(10);

    assertThat(rescued).extracting(Job::id).containsExactly(claimed.id());
    Job r = reload(claimed);
    assertThat(r.status()).isEqualTo(JobStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.finishedAt()).isEqualTo(now);
    assertThat(r.leaseUntil()).isNull();
    assertThat(r.errorMessage()).containsIgnoringCase("abandoned").contains(WORKER);
    assertThat(claim(5, TYPE)).isEmpty();
  }

  /** An expired lease of a job whose cancel was requested is rescued as CANCELLED. */
  @Test
  default void anExpiredLeaseOfAJobWhoseCancelWasRequestedIsRescuedAsCancelled() {
    Job claimed = processing(job().maxAttempts(3));
    store().cancel(OWNER, claimed.id());
    Instant now = clock().advance(LEASE.plusSeconds(1));

    assertThat(store().rescueExpired(10)).extracting(Job::id).containsExactly(claimed.id());
    Job r = reload(claimed);
    assertThat(r.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(r.finishedAt()).isEqualTo(now);
    assertThat(r.leaseUntil()).isNull();
  }

  /** Rescue leaves live leases and other statuses alone. */
  @Test
  default void rescueLeavesLiveLeasesAndOtherStatusesAlone() {
    Job expiring = insert(job().type("r_short"));
    assertThat(store().claim(new ClaimRequest(WORKER, Set.of("r_short"), 1, Duration.ofSeconds(5)))).hasSize(1);
    Job live = processing(job().type("r_long"));
    Job waiting = insert(job().type("r_wait"));
    clock().advance(Duration.ofSeconds(6));

    assertThat(store().rescueExpired(10)).extracting(Job::id).containsExactly(expiring.id());
    assertThat(reload(live).status()).isEqualTo(JobStatus.PROCESSING);
    assertUnchanged(waiting);
    assertThat(store().rescueExpired(10)).as("a second pass finds nothing").isEmpty();
  }

  /** Rescue takes at most the limit. */
  @Test
  default void rescueTakesAtMostTheLimit() {
    for (int i = 0; i < 5; i++) {
      insert(job());
    }
    assertThat(claim(5, TYPE)).hasSize(5);
    clock().advance(LEASE.plusSeconds(1));

    assertThat(store().rescueExpired(2)).hasSize(2);
    assertThat(store().rescueExpired(2)).hasSize(2);
    assertThat(store().rescueExpired(2)).hasSize(1);
    assertThat(store().rescueExpired(2)).isEmpty();
    assertThat(claim(10, TYPE)).hasSize(5).allSatisfy(j -> assertThat(j.attempts()).isEqualTo(2));
  }

  /** A lease ending exactly now has not expired yet. */
  @Test
  default void aLeaseEndingExactlyNowHasNotExpiredYet() {
    Job claimed = processing();
    clock().set(claimed.leaseUntil());

    assertThat(store().rescueExpired(10)).isEmpty();
    assertThat(reload(claimed).status()).isEqualTo(JobStatus.PROCESSING);
    clock().advance(Duration.ofMillis(1));
    assertThat(store().rescueExpired(10)).extracting(Job::id).containsExactly(claimed.id());
  }
}
