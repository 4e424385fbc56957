package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sequence numbers are taken before their transactions commit, so the log fills out of order: an
 * event is delivered only once every smaller number is settled (committed, or never to be). Shown
 * with real transactions held open on a second connection.
 */
class EventLogOrderTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  /** Inserts a job in {@code c}'s open transaction: its CREATED event takes a number now. */
  private static UUID insertInOpenTransaction(Connection c) throws Exception {
    UUID id = UUID.randomUUID();
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO " + schema.name() + ".jobs (id, owner_id, type, payload, created_at, updated_at, run_at)"
          + " VALUES ('" + id + "', 'o', 'held', '{}', now(), now(), now())");
    }
    return id;
  }

  private static List<String> sequences() {
    return schema.column("SELECT seq FROM " + schema.name() + ".jobs_events ORDER BY seq");
  }

  @Test
  void aLaterNumberCommittedFirstWaitsForTheEarlierOneThenBothArriveInOrder() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.emptyStore(clock);
        Connection held = schema.dataSource().getConnection()) {
      EventRecorder events = new EventRecorder();
      Subscription s = store.subscribe(EventSubscription.allOwners(), events);
      held.setAutoCommit(false);
      UUID early = insertInOpenTransaction(held);
      Job late = store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build())).get(0);

      // The later event is committed and in the table, but the earlier number is still open.
      assertThat(schema.value("SELECT count(*) FROM " + schema.name() + ".jobs_events WHERE job_id = '" + late.id() + "'"))
          .isEqualTo("1");
      List<JobEvent> readable = store.readEvents(EventQuery.allOwners(s.startedAfter(), 10));
      assertThat(readable).as("nothing is settled while an earlier number is open").isEmpty();
      assertThat(events.events()).isEmpty();

      held.commit();
      events.await(late.id(), JobEvent.Kind.CREATED, WAIT);
      assertThat(events.events()).extracting(JobEvent::jobId).containsExactly(early, late.id());
      assertThat(events.events().get(0).sequence()).isLessThan(events.events().get(1).sequence());
      s.close();
    }
  }

  @Test
  void aNumberWhoseTransactionRolledBackIsSkippedAndWhatFollowsArrives() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.emptyStore(clock);
        Connection held = schema.dataSource().getConnection()) {
      EventRecorder events = new EventRecorder();
      Subscription s = store.subscribe(EventSubscription.allOwners(), events);
      held.setAutoCommit(false);
      insertInOpenTransaction(held);
      Job late = store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build())).get(0);
      assertThat(store.readEvents(EventQuery.allOwners(s.startedAfter(), 10))).isEmpty();

      held.rollback();
      JobEvent created = events.await(late.id(), JobEvent.Kind.CREATED, WAIT);
      assertThat(events.events()).containsExactly(created);
      assertThat(created.sequence()).as("the rolled-back number is a gap").isEqualTo(s.startedAfter() + 2);
      assertThat(sequences()).containsExactly(String.valueOf(created.sequence()));
      s.close();
    }
  }

  @Test
  void aResumeAfterADeliveredEventNeverSkipsAnEarlierNumberThatCommitsLater() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.emptyStore(clock);
        Connection held = schema.dataSource().getConnection()) {
      long start;
      try (Subscription s = store.subscribe(EventSubscription.allOwners(), e -> {})) {
        start = s.startedAfter();
      }
      held.setAutoCommit(false);
      UUID early = insertInOpenTransaction(held);
      Job late = store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build())).get(0);
      // A client that could see the later event and resume after it would lose the earlier one for
      // good: that is why neither a read nor a subscription hands it out yet.
      assertThat(store.readEvents(EventQuery.allOwners(start, 10))).isEmpty();
      held.commit();
      EventRecorder resumed = new EventRecorder();
      try (Subscription s = store.subscribe(EventSubscription.allOwners().after(start), resumed)) {
        resumed.await(late.id(), JobEvent.Kind.CREATED, WAIT);
        assertThat(resumed.events()).extracting(JobEvent::jobId).containsExactly(early, late.id());
      }
    }
  }
}
