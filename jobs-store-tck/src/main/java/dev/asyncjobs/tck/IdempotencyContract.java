package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Idempotency keys: a retried create returns the first job; a reused key with another request is a conflict. */
public interface IdempotencyContract extends StoreFixture {

  /** Limits that refuse a second create within a minute, so that a consumed quota shows. */
  QuotaPolicy STRICT = owner -> new QuotaLimits(10, 100, Duration.ofMinutes(1));

  /**
   * Inserts one job under {@link #STRICT}.
   *
   * @param job the job to insert
   * @return the stored job
   */
  default Job createStrict(NewJob job) {
    return store().insert(new InsertRequest(List.of(job), STRICT)).get(0);
  }

  /** The same key and payload return the first job, without consuming quota. */
  @Test
  default void theSameKeyAndPayloadReturnTheFirstJobWithoutConsumingQuota() {
    Job first = createStrict(job().idempotencyKey("order-17").build());
    QuotaWindow window = declares(StoreCapability.QUOTAS) ? store().quotaWindow(OWNER) : QuotaWindow.EMPTY;
    clock().advance(Duration.ofSeconds(5));
    NewJob retry = job().idempotencyKey("order-17").build();

    Job again = createStrict(retry);

    assertSameJob(again, reload(first));
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(store().find(retry.id())).as("the retried create's own id").isEmpty();
    if (declares(StoreCapability.QUOTAS)) {
      assertThat(store().quotaWindow(OWNER)).as("quota after a replayed create").isEqualTo(window);
    }
  }

  /** Payloads that are equal as JSON match, whatever their key order and spacing. */
  @Test
  default void payloadsThatAreEqualAsJsonMatchWhateverTheirKeyOrderAndSpacing() {
    Job first = createStrict(job().idempotencyKey("k").payload("{\"prompt\":\"cat\",\"size\":{\"w\":512,\"h\":256}}").build());
    clock().advance(Duration.ofSeconds(1));

    Job again = createStrict(job().idempotencyKey("k").payload("{ \"size\" : { \"h\":256, \"w\":512 }, \"prompt\" : \"cat\" }").build());

    assertThat(again.id()).isEqualTo(first.id());
  }

  /** The same key with another payload is a conflict and stores nothing. */
  @Test
  default void theSameKeyWithAnotherPayloadIsAConflictAndStoresNothing() {
    Job first = createStrict(job().idempotencyKey("k").payload("{\"prompt\":\"cat\"}").build());
    clock().advance(Duration.ofMinutes(2));
    QuotaWindow window = declares(StoreCapability.QUOTAS) ? store().quotaWindow(OWNER) : QuotaWindow.EMPTY;
    NewJob other = job().idempotencyKey("k").payload("{\"prompt\":\"dog\"}").build();

    IdempotencyConflictException e =
        catchThrowableOfType(IdempotencyConflictException.class, () -> createStrict(other));

    assertThat(e).isNotNull();
    assertThat(e.idempotencyKey()).isEqualTo("k");
    assertThat(e.existingJobId()).isEqualTo(first.id());
    assertThat(store().find(other.id())).isEmpty();
    assertUnchanged(first);
    if (declares(StoreCapability.QUOTAS)) {
      assertThat(store().quotaWindow(OWNER)).isEqualTo(window);
    }
  }

  /** The same key with another type is a conflict. */
  @Test
  default void theSameKeyWithAnotherTypeIsAConflict() {
    Job first = createStrict(job().idempotencyKey("k").build());
    clock().advance(Duration.ofMinutes(2));
    NewJob other = job().idempotencyKey("k").type(OTHER_TYPE).build();

    IdempotencyConflictException e =
        catchThrowableOfType(IdempotencyConflictException.class, () -> createStrict(other));

    assertThat(e).isNotNull();
    assertThat(e.existingJobId()).isEqualTo(first.id());
    assertThat(store().find(other.id())).isEmpty();
  }

  /** The same key for another owner makes a different job. */
  @Test
  default void theSameKeyForAnotherOwnerIsADifferentJob() {
    Job mine = createStrict(job().idempotencyKey("shared").build());
    Job theirs = createStrict(job().owner(OTHER_OWNER).idempotencyKey("shared").payload("{\"prompt\":\"other\"}").build());

    assertThat(theirs.id()).isNotEqualTo(mine.id());
    assertThat(theirs.ownerId()).isEqualTo(OTHER_OWNER);
    assertThat(reload(mine).ownerId()).isEqualTo(OWNER);
    if (declares(StoreCapability.QUOTAS)) {
      assertThat(store().quotaWindow(OTHER_OWNER).lastHour()).isEqualTo(1);
    }
  }

  /** A replay returns the first job, in whatever state it is now. */
  @Test
  default void aReplayReturnsTheFirstJobInWhateverStateItIsNow() {
    Job first = processing(job().idempotencyKey("k"));
    store().complete(new Completion(lease(first), "{\"ok\":true}", Duration.ofSeconds(3)));

    Job again = insert(job().idempotencyKey("k"));

    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.status()).isEqualTo(JobStatus.COMPLETED);
    assertJsonEquals(again.result(), "{\"ok\":true}");
  }

  /** In a batch a replay takes its place, and only new jobs count against the quota. */
  @Test
  @RequiresCapability(StoreCapability.QUOTAS)
  default void inABatchAReplayTakesItsPlaceAndOnlyNewJobsCountAgainstTheQuota() {
    QuotaPolicy policy = owner -> new QuotaLimits(3, 100, Duration.ZERO);
    Job first = store().insert(new InsertRequest(List.of(job().idempotencyKey("a").build()), policy)).get(0);
    NewJob fresh1 = job().build();
    NewJob fresh2 = job().idempotencyKey("b").build();

    List<Job> stored = store().insert(new InsertRequest(List.of(fresh1, job().idempotencyKey("a").build(), fresh2), policy));

    assertThat(stored).extracting(Job::id).containsExactly(fresh1.id(), first.id(), fresh2.id());
    assertThat(store().quotaWindow(OWNER).lastHour()).as("one replay and two new jobs").isEqualTo(3);
  }

  /** A conflict in a batch stores none of the batch. */
  @Test
  default void aConflictInABatchStoresNoneOfTheBatch() {
    Job first = insert(job().idempotencyKey("a").payload("{\"prompt\":\"one\"}"));
    NewJob fresh = job().build();
    NewJob conflicting = job().idempotencyKey("a").payload("{\"prompt\":\"two\"}").build();

    IdempotencyConflictException e =
        catchThrowableOfType(IdempotencyConflictException.class,
            () -> store().insert(InsertRequest.of(List.of(fresh, conflicting))));

    assertThat(e).isNotNull();
    assertThat(store().find(fresh.id())).isEmpty();
    assertThat(store().find(conflicting.id())).isEmpty();
    assertUnchanged(first);
  }

  /** A job is found by its owner's key only. */
  @Test
  default void aJobIsFoundByItsOwnersKeyOnly() {
    Job first = createStrict(job().idempotencyKey("find-me").build());
    assertThat(store().findByIdempotencyKey(OWNER, "find-me")).map(Job::id).contains(first.id());
    assertThat(store().findByIdempotencyKey(OWNER, "another")).isEmpty();
    assertThat(store().findByIdempotencyKey(OWNER + "-other", "find-me")).isEmpty();
  }
}
