package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.Lease;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every status transition, allowed and refused, driven by {@link JobStatus#successors()}: each
 * store operation is tried on a job in each status, and must succeed exactly when the status may
 * move to the operation's target, and otherwise be refused without changing the job.
 */
public interface StatusTransitionContract extends StoreFixture {

  /** A store operation and the status it moves a job to. */
  enum Move {
    /** {@code claim}. */
    CLAIM(JobStatus.PROCESSING),
    /** {@code complete}. */
    COMPLETE(JobStatus.COMPLETED),
    /** {@code fail} without a retry. */
    FAIL(JobStatus.FAILED),
    /** {@code fail} with a retry time and attempts left. */
    FAIL_WITH_RETRY(JobStatus.PENDING),
    /** {@code release}. */
    RELEASE(JobStatus.PENDING),
    /** {@code rescueExpired} after the lease ran out. */
    RESCUE(JobStatus.PENDING),
    /** {@code cancel}, then {@code acknowledgeCancel} when the job is PROCESSING. */
    CANCEL(JobStatus.CANCELLED);

    private final JobStatus target;

    Move(JobStatus target) {
      this.target = target;
    }

    /** {@return the status this move leads to} */
    public JobStatus target() {
      return target;
    }
  }

  /** {@return every status against every move} */
  static Stream<Arguments> statusesAndMoves() {
    return Arrays.stream(JobStatus.values())
        .flatMap(s -> Arrays.stream(Move.values()).map(m -> Arguments.of(s, m)));
  }

  /**
   * A job of a type of its own, brought into {@code status} the way a worker and owner would.
   *
   * @param status the status wanted
   * @return the job, in that status
   */
  default Job jobIn(JobStatus status) {
    String type = "t_" + status.name().toLowerCase();
    Job job = insert(job().type(type).maxAttempts(3));
    if (status == JobStatus.PENDING) {
      return job;
    }
    if (status == JobStatus.CANCELLED) {
      return store().cancel(OWNER, job.id());
    }
    Job claimed = claimOne(type);
    return switch (status) {
      case PROCESSING -> claimed;
      case COMPLETED -> store().complete(new Completion(lease(claimed), "{\"done\":true}", Duration.ofSeconds(2)));
      case FAILED -> store().fail(Failure.permanent(lease(claimed), "gave up"));
      default -> throw new IllegalArgumentException(status.name());
    };
  }

  /**
   * The lease a worker would hold or have held on {@code job}: its last claim's, or a first claim's.
   *
   * @param job the job
   * @return the lease
   */
  default Lease leaseOf(Job job) {
    return new Lease(job.id(), job.workerId() != null ? job.workerId() : WORKER, Math.max(1, job.attempts()));
  }

  /**
   * A move succeeds exactly when the status may move to its target.
   *
   * @param from the status the job is in
   * @param move the move tried
   */
  @ParameterizedTest(name = "{1} on a {0} job")
  @MethodSource("dev.asyncjobs.tck.StatusTransitionContract#statusesAndMoves")
  default void aMoveSucceedsExactlyWhenTheStatusMayMoveToItsTarget(JobStatus from, Move move) {
    Job before = jobIn(from);
    assertThat(before.status()).as("setup").isEqualTo(from);
    boolean allowed = from.canMoveTo(move.target());
    Lease lease = leaseOf(before);

    switch (move) {
      case CLAIM -> {
        List<Job> claimed = claim(10, before.type());
        assertThat(claimed).hasSize(allowed ? 1 : 0);
      }
      case COMPLETE, FAIL, FAIL_WITH_RETRY, RELEASE -> {
        Runnable write = () -> {
          switch (move) {
            case COMPLETE -> store().complete(new Completion(lease, "{\"r\":1}", Duration.ofSeconds(1)));
            case FAIL -> store().fail(Failure.permanent(lease, "bad"));
            case FAIL_WITH_RETRY -> store().fail(new Failure(lease, "again", clock().instant().plusSeconds(60)));
            default -> store().release(lease);
          }
        };
        if (allowed) {
          write.run();
        } else {
          assertThatThrownBy(write::run).isInstanceOf(LeaseLostException.class);
        }
      }
      case RESCUE -> {
        clock().advance(LEASE.plusSeconds(1));
        assertThat(store().rescueExpired(10)).hasSize(allowed ? 1 : 0);
      }
      case CANCEL -> {
        if (!allowed) {
          assertThatThrownBy(() -> store().cancel(OWNER, before.id())).isInstanceOf(IllegalJobStateException.class);
        } else if (store().cancel(OWNER, before.id()).status() == JobStatus.PROCESSING) {
          store().acknowledgeCancel(lease);
        }
      }
      default -> throw new IllegalArgumentException(move.name());
    }

    if (allowed) {
      assertThat(reload(before).status()).as("%s after %s", from, move).isEqualTo(move.target());
    } else {
      assertUnchanged(before);
    }
  }

  /** The moves cover every allowed transition. */
  @Test
  default void theMovesCoverEveryAllowedTransition() {
    Set<JobStatus> targets = EnumSet.noneOf(JobStatus.class);
    Arrays.stream(Move.values()).forEach(m -> targets.add(m.target()));
    for (JobStatus s : JobStatus.values()) {
      assertThat(targets).as("moves reaching the successors of %s", s).containsAll(s.successors());
    }
    assertThat(JobStatus.PENDING.successors()).containsExactlyInAnyOrder(JobStatus.PROCESSING, JobStatus.CANCELLED);
    assertThat(JobStatus.finalStatuses()).allSatisfy(s -> assertThat(s.successors()).isEmpty());
  }
}
