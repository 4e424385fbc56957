package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's SQL functions, called as an operator in psql (or a worker in another language) would,
 * work the same queue as the store, with the same meanings and the same notifications.
 */
class SqlFunctionsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private MutableClock clock;
  private PostgresJobStore store;
  private EventRecorder events;
  private String s;

  @BeforeEach
  void openStore() {
    clock = new MutableClock();
    store = schema.emptyStore(clock);
    events = new EventRecorder();
    store.subscribe(EventSubscription.allOwners(), events);
    s = schema.name();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private String now() {
    return "timestamptz '" + clock.instant() + "'";
  }

  private Job insert(NewJobBuilder b) {
    return store.insert(InsertRequest.of(b.build())).get(0);
  }

  private Job reload(Job j) {
    return store.find(j.id()).orElseThrow();
  }

  @Test
  void getNextJobClaimsInPriorityOrderAndTheStoreHonoursItsLease() {
    insert(NewJobBuilder.newJob(clock).type("a").priority(3));
    Job high = insert(NewJobBuilder.newJob(clock).type("a").priority(9));
    insert(NewJobBuilder.newJob(clock).type("b").priority(10));

    String id = schema.value("SELECT id FROM " + s + ".get_next_job('psql-worker', ARRAY['a'], interval '1 minute', 1, " + now() + ")");
    assertThat(id).isEqualTo(high.id().toString());
    Job claimed = reload(high);
    assertThat(claimed.status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(claimed.workerId()).isEqualTo("psql-worker");
    assertThat(claimed.attempts()).isEqualTo(1);
    assertThat(claimed.leaseUntil()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
    events.await(high.id(), JobEvent.Kind.STARTED, WAIT);

    // A job claimed from psql can be finished through the store with the same lease, and vice versa.
    Job done = store.complete(new Completion(Lease.of(claimed), "{\"ok\":true}", Duration.ofSeconds(3)));
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(schema.column("SELECT id FROM " + s + ".get_next_job('psql-worker', NULL, interval '1 minute', 10, " + now() + ")"))
        .hasSize(2);
  }

  @Test
  void completeJobCompletesWithTheTimeSinceStartUnlessTheLeaseIsNotHeld() {
    Job j = insert(NewJobBuilder.newJob(clock).type("c"));
    schema.value("SELECT count(*) FROM " + s + ".get_next_job('w', ARRAY['c'], interval '1 minute', 1, " + now() + ")");
    clock.advance(Duration.ofSeconds(7));

    assertThat(schema.column("SELECT id FROM " + s + ".complete_job('" + j.id() + "', '{}', 'someone-else', 1, NULL, " + now() + ")"))
        .as("a fenced call with another worker changes nothing").isEmpty();
    assertThat(schema.value("SELECT status FROM " + s + ".complete_job('" + j.id() + "', '{\"url\":\"x\"}', p_now => " + now() + ")"))
        .isEqualTo("COMPLETED");
    Job done = reload(j);
    assertThat(done.actualDuration()).isEqualTo(Duration.ofSeconds(7));
    assertThat(done.progress()).isEqualTo(100);
    assertThat(done.resultTree().get("url").asText()).isEqualTo("x");
    assertThat(done.leaseUntil()).isNull();
    events.await(j.id(), JobEvent.Kind.COMPLETED, WAIT);
  }

  @Test
  void failJobRetriesWhileAttemptsAreLeftAndFailsForGoodAfter() {
    Job j = insert(NewJobBuilder.newJob(clock).type("f").maxAttempts(2));
    String claim = "SELECT count(*) FROM " + s + ".get_next_job('w', ARRAY['f'], interval '1 minute', 1, " + now() + ")";
    schema.value(claim);
    assertThat(schema.value("SELECT status FROM " + s + ".fail_job('" + j.id() + "', 'boom', interval '30 seconds', 'w', 1, " + now() + ")"))
        .isEqualTo("PENDING");
    Job retry = reload(j);
    assertThat(retry.runAt()).isEqualTo(clock.instant().plusSeconds(30));
    assertThat(retry.errorMessage()).isEqualTo("boom");
    events.await(j.id(), JobEvent.Kind.RETRY_SCHEDULED, WAIT);

    clock.advance(Duration.ofSeconds(30));
    schema.value("SELECT count(*) FROM " + s + ".get_next_job('w', ARRAY['f'], interval '1 minute', 1, " + now() + ")");
    assertThat(schema.value("SELECT status FROM " + s + ".fail_job('" + j.id() + "', 'boom again', p_now => " + now() + ")"))
        .isEqualTo("FAILED");
    assertThat(reload(j).finishedAt()).isEqualTo(clock.instant());
    events.await(j.id(), JobEvent.Kind.FAILED, WAIT);
  }

  @Test
  void cleanupOldJobsDeletesFinishedJobsInBoundedBatchesAndKeepsQuotas() {
    for (int i = 0; i < 3; i++) {
      Job j = insert(NewJobBuilder.newJob(clock).type("old"));
      schema.value("SELECT count(*) FROM " + s + ".get_next_job('w', ARRAY['old'], interval '1 minute', 1, " + now() + ")");
      schema.value("SELECT count(*) FROM " + s + ".complete_job('" + j.id() + "', '{}', p_now => " + now() + ")");
    }
    Job pending = insert(NewJobBuilder.newJob(clock).type("old"));
    clock.advance(Duration.ofDays(31));
    String cleanup = "SELECT " + s + ".cleanup_old_jobs(interval '30 days', 2, " + now() + ")";

    assertThat(schema.value(cleanup)).isEqualTo("2");
    assertThat(schema.value(cleanup)).isEqualTo("1");
    assertThat(schema.value(cleanup)).isEqualTo("0");
    assertThat(store.find(pending.id())).isPresent();
    assertThat(store.quotaWindow(NewJobBuilder.DEFAULT_OWNER).lastCreatedAt())
        .as("the owner's latest create is kept for the minimum interval").isNotNull();
  }

  @Test
  void resetUserQuotasForgetsOneOwnerOrEveryOwner() {
    insert(NewJobBuilder.newJob(clock).owner("a"));
    insert(NewJobBuilder.newJob(clock).owner("b"));
    insert(NewJobBuilder.newJob(clock).owner("c"));

    assertThat(schema.value("SELECT " + s + ".reset_user_quotas('a')")).isEqualTo("1");
    assertThat(store.quotaWindow("a")).isEqualTo(QuotaWindow.EMPTY);
    assertThat(store.quotaWindow("b").lastHour()).isEqualTo(1);
    assertThat(schema.value("SELECT " + s + ".reset_user_quotas()")).isEqualTo("2");
    assertThat(store.quotaWindow("c")).isEqualTo(QuotaWindow.EMPTY);
  }

  @Test
  void theFunctionsUseTheirOwnNowByDefault() {
    Instant before = Instant.now().minusSeconds(5);
    Job j = insert(NewJobBuilder.newJob(clock).type("live").runAt(before.minusSeconds(60)));
    assertThat(schema.value("SELECT id FROM " + s + ".get_next_job('w', ARRAY['live'])")).isEqualTo(j.id().toString());
    assertThat(reload(j).startedAt()).isAfter(before);
  }
}
