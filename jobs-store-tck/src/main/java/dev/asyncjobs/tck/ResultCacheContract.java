package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.CachedResult;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The result cache: keys kept on jobs, the latest completed job of a key, and jobs inserted COMPLETED from it. */
@RequiresCapability(StoreCapability.RESULT_CACHE)
public interface ResultCacheContract extends StoreFixture {
  /** The key most tests use. */
  String KEY = "a".repeat(64);

  /**
   * {@return a new job of {@code owner} with {@link #KEY}}
   *
   * @param owner the owner
   */
  default NewJob keyed(String owner) {
    NewJob nj = job().owner(owner).build();
    return new NewJob(nj.id(), nj.ownerId(), nj.type(), nj.payload(), nj.priority(), nj.maxAttempts(), nj.runAt(),
        nj.estimatedDuration(), nj.idempotencyKey(), nj.metadata(), nj.resources(), nj.estimatedUnits(), KEY, null);
  }

  /**
   * Runs {@code nj} to completion with {@code result}.
   *
   * @param nj the job
   * @param result its result JSON
   * @return the completed job
   */
  default Job completed(NewJob nj, String result) {
    insert(nj);
    Job claimed = claimOne(TYPE);
    assertThat(claimed.id()).isEqualTo(nj.id());
    return store().complete(new Completion(lease(claimed), result, Duration.ofMillis(5)));
  }

  /** The latest completed job of a key is found, of the owner or of anyone; unfinished and failed ones are not. */
  @Test
  default void theLatestCompletedJobOfAKeyIsFound() {
    Instant t0 = clock().instant();
    Job unfinished = insert(keyed(OWNER));
    assertThat(unfinished.cacheKey()).isEqualTo(KEY);
    assertThat(store().findCached(KEY, OWNER, t0)).isEmpty();
    Job claimed = claimOne(TYPE);
    store().fail(new Failure(lease(claimed), "no", null));
    assertThat(store().findCached(KEY, OWNER, t0)).as("a failed job answers nothing").isEmpty();

    clock().advance(Duration.ofSeconds(1));
    Job first = completed(keyed(OWNER), "{\"v\":1}");
    clock().advance(Duration.ofSeconds(1));
    Job second = completed(keyed(OWNER), "{\"v\":2}");
    Job others = completed(keyed(OTHER_OWNER), "{\"v\":3}");

    assertThat(store().findCached(KEY, OWNER, t0)).get().extracting(Job::id).isEqualTo(second.id());
    assertThat(store().findCached(KEY, OTHER_OWNER, t0)).get().extracting(Job::id).isEqualTo(others.id());
    assertThat(store().findCached(KEY, null, t0)).get().extracting(Job::id).isIn(second.id(), others.id());
    assertThat(store().findCached(KEY, OWNER, clock().instant().plusMillis(1))).as("completed before the window").isEmpty();
    assertThat(store().findCached("b".repeat(64), OWNER, t0)).isEmpty();
    assertThat(first.cacheKey()).isEqualTo(KEY);
  }

  /** A job answered from the cache is COMPLETED at once, never claimed, and logged as created and completed. */
  @Test
  default void aCachedJobIsCompletedAtOnceAndNeverClaimed() {
    Job original = completed(keyed(OWNER), "{\"url\":\"https://example.com/x.png\"}");
    clock().advance(Duration.ofSeconds(1));
    NewJob nj = keyed(OWNER);
    NewJob copy = new NewJob(nj.id(), nj.ownerId(), nj.type(), nj.payload(), nj.priority(), nj.maxAttempts(), nj.runAt(),
        nj.estimatedDuration(), nj.idempotencyKey(), nj.metadata(), nj.resources(), nj.estimatedUnits(), KEY,
        new CachedResult(original.id(), original.result()));

    Job cached = store().insert(InsertRequest.of(copy)).get(0);

    assertThat(cached.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(cached.cachedFrom()).isEqualTo(original.id());
    assertJsonEquals(cached.result(), "{\"url\":\"https://example.com/x.png\"}");
    assertThat(cached.progress()).isEqualTo(100);
    assertThat(cached.attempts()).isZero();
    assertThat(cached.finishedAt()).isEqualTo(clock().instant());
    assertThat(reload(cached)).isEqualTo(cached);
    assertThat(claim(5, TYPE)).isEmpty();
    List<JobEvent> events = store().readEvents(EventQuery.job(OWNER, cached.id(), 0, 100));
    assertThat(events).extracting(JobEvent::kind).containsExactly(JobEvent.Kind.CREATED, JobEvent.Kind.COMPLETED);
    // A copy is not a source: the original stays the answer.
    assertThat(store().findCached(KEY, OWNER, original.finishedAt())).get().extracting(Job::id).isEqualTo(original.id());
  }
}
