package dev.asyncjobs.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.QuotaPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The SPI's request records check their own ranges, so that no store has to repeat it. */
class RequestRecordsTest {
  private static final Lease LEASE = new Lease(UUID.randomUUID(), "worker-1", 1);
  private static final NewJob JOB = new NewJob(
      UUID.randomUUID(), "alice", "haiku", "{}", 5, 3, Instant.parse("2026-12-02T00:00:00Z"), null, null);

  @Test
  void anInsertRequestCopiesItsJobsAndDefaultsToNoQuota() {
    List<NewJob> jobs = new ArrayList<>(List.of(JOB));
    InsertRequest request = InsertRequest.of(jobs);
    jobs.clear();

    assertThat(request.jobs()).containsExactly(JOB);
    assertThat(request.quotas()).isSameAs(QuotaPolicy.unlimited());
    assertThat(InsertRequest.of(JOB)).isEqualTo(request);
    QuotaPolicy limited = QuotaPolicy.perOwner(10, 100, Duration.ofMinutes(1));
    assertThat(request.withQuotas(limited).quotas()).isSameAs(limited);
    assertThatThrownBy(() -> request.jobs().add(JOB)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void progressOutsideZeroToHundredIsRefusedNamingTheField() {
    for (int bad : new int[] {-1, 101, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> new WorkerProgress(LEASE, bad, null))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("progress"))
          .hasMessageContaining("progress must be 0-100, was " + bad);
      assertThatThrownBy(() -> new OwnerProgress("alice", LEASE.jobId(), bad, null))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("progress"));
    }
    assertThat(new WorkerProgress(LEASE, 0, null).progress()).isZero();
    assertThat(new OwnerProgress("alice", LEASE.jobId(), 100, "done").message()).isEqualTo("done");
  }

  @Test
  void aNegativeEventPositionOrLimitIsRefusedNamingTheField() {
    assertThatThrownBy(() -> EventQuery.owner("alice", -1, 10))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("after"));
    assertThatThrownBy(() -> EventQuery.allOwners(0, -1))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("limit"));
    assertThat(EventQuery.allOwners(0, 0).ownerId()).isNull();
    assertThat(EventQuery.owner("alice", 7, 100)).isEqualTo(new EventQuery("alice", 7, 100));
  }

  @Test
  void aPermanentFailureHasNoRetryTime() {
    assertThat(Failure.permanent(LEASE, "broken")).isEqualTo(new Failure(LEASE, "broken", null));
    assertThat(Failure.permanent(LEASE, "broken").retryAt()).isNull();
  }

  @Test
  void missingValuesAreRefusedByName() {
    assertThatThrownBy(() -> new Completion(LEASE, null, Duration.ZERO)).hasMessage("resultJson");
    assertThatThrownBy(() -> new Failure(null, "x", null)).hasMessage("lease");
    assertThatThrownBy(() -> new OwnerProgress(null, LEASE.jobId(), 1, null)).hasMessage("ownerId");
    assertThatThrownBy(() -> new InsertRequest(List.of(JOB), null)).hasMessage("quotas");
  }
}
