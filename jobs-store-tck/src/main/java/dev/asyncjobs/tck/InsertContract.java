package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code insert}, {@code find} and {@code clock}: what a store keeps of a new job. */
public interface InsertContract extends StoreFixture {

  /** Insert stores a PENDING job with every value of the new job. */
  @Test
  default void insertStoresAPendingJobWithEveryValueOfTheNewJob() {
    Instant runAt = clock().instant().plus(Duration.ofMinutes(5));
    NewJob n =
        job().type(OTHER_TYPE).priority(8).maxAttempts(4).runAt(runAt)
            .estimatedDuration(Duration.ofMillis(12_345)).idempotencyKey("key-1").build();
    Job stored = store().insert(InsertRequest.of(n)).get(0);

    Instant now = clock().instant();
    Job expected = n.toJob(now);
    assertSameJob(stored, expected);
    assertThat(stored.status()).isEqualTo(JobStatus.PENDING);
    assertThat(stored.attempts()).isZero();
    assertThat(stored.progress()).isZero();
    assertThat(stored.createdAt()).isEqualTo(now);
    assertThat(stored.updatedAt()).isEqualTo(now);
    assertThat(stored.runAt()).isEqualTo(runAt);
    assertThat(stored.startedAt()).isNull();
    assertThat(stored.finishedAt()).isNull();
    assertThat(stored.workerId()).isNull();
    assertThat(stored.leaseUntil()).isNull();
    assertThat(stored.cancelRequested()).isFalse();
  }

  /** Metadata is kept as given, and stays the same through the attempts of the job. */
  @Test
  default void metadataIsKeptAndStaysTheSameThroughTheAttempts() {
    Map<String, String> metadata = Map.of(
        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "correlation-id", "order 42 \u00e9\u6f22\u5b57", "empty", "");
    Job stored = store().insert(InsertRequest.of(job().type("metadata_kept").metadata(metadata).maxAttempts(2).build())).get(0);
    assertThat(stored.metadata()).isEqualTo(metadata);
    assertThat(reload(stored.id()).metadata()).isEqualTo(metadata);

    Job claimed = claimOne("metadata_kept");
    store().fail(new Failure(lease(claimed), "busy", clock().instant()));
    Job again = claimOne("metadata_kept");
    assertThat(again.metadata()).isEqualTo(metadata);
    assertThat(store().complete(new Completion(lease(again), "{}", Duration.ofSeconds(1))).metadata()).isEqualTo(metadata);
    assertThat(pending().metadata()).as("a job without metadata").isEmpty();
  }

  /** Find returns what insert returned. */
  @Test
  default void findReturnsWhatInsertReturned() {
    Job stored = pending();
    clock().advance(Duration.ofSeconds(3));
    assertSameJob(reload(stored.id()), stored);
  }

  /** Find of an unknown id is empty. */
  @Test
  default void findOfAnUnknownIdIsEmpty() {
    pending();
    assertThat(store().find(UUID.randomUUID())).isEmpty();
  }

  /** findAll returns the jobs of the ids that exist, of every owner, each once. */
  @Test
  default void findAllReturnsTheJobsOfTheIdsThatExist() {
    List<Job> stored = store().insert(InsertRequest.of(List.of(job().owner(OWNER).build(), job().owner(OTHER_OWNER).build(),
        job().owner(OWNER).type(OTHER_TYPE).build())));
    UUID missing = UUID.randomUUID();

    List<Job> found = store().findAll(List.of(stored.get(2).id(), missing, stored.get(0).id(), stored.get(1).id()));

    assertThat(found).extracting(Job::id).containsExactlyInAnyOrder(stored.get(0).id(), stored.get(1).id(), stored.get(2).id());
    for (Job j : found) {
      assertSameJob(j, reload(j.id()));
    }
    assertThat(store().findAll(List.of(missing))).isEmpty();
    assertThat(store().findAll(List.of())).isEmpty();
  }

  /** A batch is stored and returned in request order. */
  @Test
  default void aBatchIsStoredAndReturnedInRequestOrder() {
    List<NewJob> batch =
        List.of(
            job().owner(OWNER).priority(1).build(),
            job().owner(OTHER_OWNER).priority(9).build(),
            job().owner(OWNER).type(OTHER_TYPE).build(),
            job().owner("owner-c").build());
    List<Job> stored = store().insert(InsertRequest.of(batch));

    assertThat(stored).extracting(Job::id).containsExactlyElementsOf(batch.stream().map(NewJob::id).collect(Collectors.toList()));
    assertThat(stored).extracting(Job::ownerId).containsExactly(OWNER, OTHER_OWNER, OWNER, "owner-c");
    for (Job j : stored) {
      assertSameJob(reload(j.id()), j);
    }
  }

  /** An empty batch stores nothing and returns nothing. */
  @Test
  default void anEmptyBatchStoresNothingAndReturnsNothing() {
    assertThat(store().insert(InsertRequest.of(List.of()))).isEmpty();
    if (declares(StoreCapability.QUOTAS)) {
      assertThat(store().quotaWindow(OWNER)).isEqualTo(QuotaWindow.EMPTY);
    }
  }

  /** A batch is all or nothing when one owner is over quota. */
  @Test
  @RequiresCapability(StoreCapability.QUOTAS)
  default void aBatchIsAllOrNothingWhenOneOwnerIsOverQuota() {
    QuotaPolicy policy =
        QuotaPolicy.builder().defaults(QuotaLimits.UNLIMITED).owner("owner-c", new QuotaLimits(1, 10, Duration.ZERO)).build();
    List<NewJob> batch =
        List.of(job().owner(OWNER).build(), job().owner(OTHER_OWNER).build(),
            job().owner("owner-c").build(), job().owner("owner-c").build());

    assertThatThrownBy(() -> store().insert(new InsertRequest(batch, policy)))
        .isInstanceOfSatisfying(QuotaExceededException.class, e -> assertThat(e.ownerId()).isEqualTo("owner-c"));

    for (NewJob n : batch) {
      assertThat(store().find(n.id())).as("job of %s after a refused batch", n.ownerId()).isEmpty();
    }
    assertThat(store().quotaWindow(OWNER)).isEqualTo(QuotaWindow.EMPTY);
    assertThat(store().quotaWindow(OTHER_OWNER)).isEqualTo(QuotaWindow.EMPTY);
    assertThat(store().quotaWindow("owner-c")).isEqualTo(QuotaWindow.EMPTY);
  }

  /** Timestamps come from the store's clock. */
  @Test
  default void timestampsComeFromTheStoreClock() {
    assertThat(store().clock().instant()).isEqualTo(clock().instant());
    Instant later = clock().advance(Duration.ofHours(7).plusMillis(250));
    assertThat(store().clock().instant()).isEqualTo(later);
    Job stored = pending();
    assertThat(stored.createdAt()).isEqualTo(later);
    assertThat(reload(stored).createdAt()).isEqualTo(later);
  }
}
