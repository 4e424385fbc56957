package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.WorkerProgress;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What V4 puts in the database: one log row per change, written by the triggers in the writing
 * transaction; heartbeats write none; and the only notifications are empty hints sent after the
 * store's commits, a few per burst however many changes it made.
 */
class EventLogTableTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  private static int logRows(String type) {
    return Integer.parseInt(schema.value("SELECT count(*) FROM " + schema.name() + ".jobs_events WHERE type = '" + type + "'"));
  }

  @Test
  void aBatchIsOneRowPerJobAndAHeartbeatWritesNone() {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build()) {
      List<NewJob> batch = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        batch.add(NewJobBuilder.newJob(clock).type("batch_log").build());
      }
      store.insert(InsertRequest.of(batch));
      assertThat(logRows("batch_log")).isEqualTo(300);

      List<Job> claimed = store.claim(new ClaimRequest("w1", Set.of("batch_log"), 300, Duration.ofMinutes(1)));
      assertThat(claimed).hasSize(300);
      assertThat(logRows("batch_log")).isEqualTo(600);
      store.heartbeat(claimed.stream().map(Lease::of).toList(), Duration.ofMinutes(2));
      assertThat(logRows("batch_log")).as("a heartbeat only moves leases").isEqualTo(600);
      assertThat(schema.column("SELECT DISTINCT kind FROM " + schema.name() + ".jobs_events WHERE type = 'batch_log' ORDER BY kind"))
          .containsExactly("CREATED", "STARTED");
    }
  }

  @Test
  void aLongProgressMessageIsKeptWholeOnTheJobAndCutInTheEvent() {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build()) {
      EventRecorder events = new EventRecorder();
      store.subscribe(EventSubscription.allOwners(), events);
      Job job = store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).type("long_message").build())).get(0);
      Job running = store.claim(new ClaimRequest("w1", Set.of("long_message"), 1, Duration.ofMinutes(1))).get(0);
      String huge = "\u00e9".repeat(1500);
      store.reportProgress(new WorkerProgress(Lease.of(running), 5, huge));

      JobEvent progress = events.await(job.id(), JobEvent.Kind.PROGRESS, WAIT);
      assertThat(progress.message()).isEqualTo("\u00e9".repeat(JobEvent.MAX_MESSAGE_LENGTH));
      assertThat(store.find(job.id()).orElseThrow().progressMessage()).isEqualTo(huge);
    }
  }

  @Test
  void theOnlyNotificationsAreEmptyHintsAfterCommitAndABurstSendsFew() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).hintInterval(Duration.ofMillis(50)).build();
        Connection raw = schema.dataSource().getConnection()) {
      try (Statement st = raw.createStatement()) {
        st.execute("LISTEN \"" + schema.name() + ".jobs\"");
      }
      // A plain SQL write (no store involved) is logged but sends nothing at all.
      schema.execute("INSERT INTO " + schema.name() + ".jobs (id, owner_id, type, payload, created_at, updated_at, run_at)"
          + " VALUES (gen_random_uuid(), 'o', 'silent', '{}', now(), now(), now())");
      PGConnection pg = raw.unwrap(PGConnection.class);
      assertThat(notifications(pg, 300)).as("a trigger sends nothing").isEmpty();
      assertThat(logRows("silent")).isEqualTo(1);

      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).type("burst").build()));
      }
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      List<PGNotification> heard = notifications(pg, 500);
      assertThat(heard).isNotEmpty();
      assertThat(heard).allSatisfy(n -> assertThat(n.getParameter()).as("a hint carries nothing").isEmpty());
      // At most one per 50 ms (plus the first at once), not one per write.
      assertThat(heard.size()).isLessThanOrEqualTo((int) (tookMillis / 50) + 2).isLessThan(100);
    }
  }

  /** Every notification that arrives within {@code quietMillis} of the previous one. */
  private static List<PGNotification> notifications(PGConnection pg, int quietMillis) throws Exception {
    List<PGNotification> all = new ArrayList<>();
    while (true) {
      PGNotification[] got = pg.getNotifications(quietMillis);
      if (got == null || got.length == 0) {
        return all;
      }
      all.addAll(List.of(got));
    }
  }
}
