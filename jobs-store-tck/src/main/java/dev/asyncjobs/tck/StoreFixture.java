package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What every contract test needs: the store under test, its clock, and small steps that put a job
 * in a given state. The store suite of {@link JobStoreTck} implements it; the contract interfaces
 * extend it, and a store's own extra tests may too.
 */
public interface StoreFixture {
  /** The worker id most tests claim with. */
  String WORKER = "worker-1";
  /** A second worker. */
  String OTHER_WORKER = "worker-2";
  /** The lease most tests claim with. */
  Duration LEASE = Duration.ofSeconds(30);
  /**
   * How long a test waits for something another thread does (an event, a claim). Generous, so that
   * a slow database on a loaded machine passes; a correct store answers in milliseconds.
   */
  Duration AWAIT = Duration.ofSeconds(30);
  /** The owner most tests use. */
  String OWNER = NewJobBuilder.DEFAULT_OWNER;
  /** A second owner, for isolation tests. */
  String OTHER_OWNER = "owner-b";
  /** The type most tests use. */
  String TYPE = NewJobBuilder.DEFAULT_TYPE;
  /** A second type. */
  String OTHER_TYPE = "tck_text";

  /** {@return the store under test: fresh and empty at the start of each test} */
  JobStore store();

  /** {@return the clock the store was created with} */
  MutableClock clock();

  /**
   * {@return whether the store declares {@code capability}} For tests whose main point holds for
   * every store, with a side check that only a store with the capability can make.
   *
   * @param capability the optional part of the contract
   */
  default boolean declares(StoreCapability capability) {
    return store().capabilities().contains(capability);
  }

  /** {@return a new-job builder on the test clock, with the defaults of {@link NewJobBuilder}} */
  default NewJobBuilder job() {
    return NewJobBuilder.newJob(clock());
  }

  /**
   * Inserts one job without quota limits.
   *
   * @param job the job
   * @return the stored job
   */
  default Job insert(NewJob job) {
    return store().insert(InsertRequest.of(job)).get(0);
  }

  /**
   * Inserts one job built from {@code builder} without quota limits.
   *
   * @param builder the job's builder
   * @return the stored job
   */
  default Job insert(NewJobBuilder builder) {
    return insert(builder.build());
  }

  /**
   * Inserts a default job (owner {@link #OWNER}, type {@link #TYPE}).
   *
   * @return the stored job
   */
  default Job pending() {
    return insert(job());
  }

  /**
   * Claims up to {@code limit} jobs of {@code types} as {@link #WORKER} with {@link #LEASE}.
   *
   * @param limit the most jobs to claim
   * @param types the types to claim
   * @return the claimed jobs
   */
  default List<Job> claim(int limit, String... types) {
    return store().claim(new ClaimRequest(WORKER, Set.of(types), limit, LEASE));
  }

  /**
   * Claims exactly one job of {@code type} as {@link #WORKER} and fails the test otherwise.
   *
   * @param type the type to claim
   * @return the claimed job
   */
  default Job claimOne(String type) {
    List<Job> claimed = claim(1, type);
    assertThat(claimed).as("jobs claimed of type %s", type).hasSize(1);
    return claimed.get(0);
  }

  /**
   * Inserts {@code builder}'s job and claims it as {@link #WORKER}; the type must be free of other due jobs.
   *
   * @param builder the job's builder
   * @return the job, PROCESSING
   */
  default Job processing(NewJobBuilder builder) {
    Job inserted = insert(builder);
    Job claimed = claimOne(inserted.type());
    assertThat(claimed.id()).as("the job just inserted is the one claimed").isEqualTo(inserted.id());
    return claimed;
  }

  /**
   * A default job, claimed by {@link #WORKER}.
   *
   * @return the job, PROCESSING
   */
  default Job processing() {
    return processing(job());
  }

  /**
   * The stored state of {@code job}; fails the test when it is gone.
   *
   * @param job the job
   * @return the job as stored now
   */
  default Job reload(Job job) {
    return reload(job.id());
  }

  /**
   * The stored state of job {@code id}; fails the test when it is gone.
   *
   * @param id the job's id
   * @return the job as stored now
   */
  default Job reload(UUID id) {
    return store().find(id).orElseThrow(() -> new AssertionError("job " + id + " is not in the store"));
  }

  /**
   * {@return the lease a worker holds on a job it has just claimed}
   *
   * @param claimed the job as the claim returned it
   */
  default Lease lease(Job claimed) {
    return Lease.of(claimed);
  }

  /**
   * Asserts that the stored job is exactly {@code before}: a refused operation changed nothing.
   *
   * @param before the job as it was before the operation
   */
  default void assertUnchanged(Job before) {
    assertThat(reload(before)).as("job after a refused operation").isEqualTo(before);
  }

  /**
   * Asserts that two JSON texts are equal as JSON values (key order and spacing aside).
   *
   * @param actual the JSON text found
   * @param expected the JSON text expected
   */
  default void assertJsonEquals(@Nullable String actual, String expected) {
    assertThat(actual).as("JSON text").isNotNull();
    assertThat(Jsons.tree(actual)).as("JSON value of %s", actual).isEqualTo(Jsons.tree(expected));
  }

  /**
   * Asserts that {@code actual} holds every value of {@code expected}, comparing payload and result
   * as JSON values, so that a store may normalise JSON text (PostgreSQL {@code jsonb} does).
   *
   * @param actual the job found
   * @param expected the job expected
   */
  default void assertSameJob(Job actual, Job expected) {
    assertJsonEquals(actual.payload(), expected.payload());
    if (expected.result() == null) {
      assertThat(actual.result()).as("result").isNull();
    } else {
      assertJsonEquals(actual.result(), expected.result());
    }
    assertThat(actual.toBuilder().payload("{}").result(null).build())
        .isEqualTo(expected.toBuilder().payload("{}").result(null).build());
  }
}
