package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.ClaimRequest;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.Lease;
import dev.asyncjobs.NewJob;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.store.postgres.internal.EventPayloads;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The notifications of V3: one statement's events travel packed into as few notifications as fit
 * under PostgreSQL's 8,000-byte limit, and none is lost or changed on the way.
 */
class StatementNotificationsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Test
  void aBatchOfManyJobsIsHeardAsOneEventPerJob() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build(); Connection raw = schema.dataSource().getConnection()) {
      try (Statement st = raw.createStatement()) {
        st.execute("LISTEN \"" + schema.name() + ".jobs\"");
      }
      EventRecorder events = new EventRecorder();
      store.subscribe(events);
      List<NewJob> batch = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        batch.add(NewJobBuilder.newJob(clock).type("batch_notify").build());
      }
      List<Job> created = store.insert(batch, QuotaPolicy.unlimited());
      Job last = created.get(created.size() - 1);
      events.await(last.id(), JobEvent.Kind.CREATED, WAIT);

      List<JobEvent> heard = events.events().stream().filter(e -> e.type().equals("batch_notify")).toList();
      assertThat(heard).extracting(JobEvent::jobId).containsExactlyInAnyOrderElementsOf(created.stream().map(Job::id).toList());
      assertThat(heard).allSatisfy(e -> {
        assertThat(e.kind()).isEqualTo(JobEvent.Kind.CREATED);
        assertThat(e.ownerId()).isEqualTo(NewJobBuilder.DEFAULT_OWNER);
        assertThat(e.runAt()).isNotNull();
      });
      // 300 events of ~250 bytes: about ten notifications, each under the 8,000-byte limit, not 300.
      int notifications = 0;
      int carried = 0;
      PGConnection pg = raw.unwrap(PGConnection.class);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (carried < 300 && System.nanoTime() < deadline) {
        PGNotification[] got = pg.getNotifications(500);
        for (PGNotification n : got == null ? new PGNotification[0] : got) {
          assertThat(n.getParameter().getBytes(StandardCharsets.UTF_8).length).isLessThan(8000);
          notifications++;
          carried += EventPayloads.parseAll(n.getParameter()).size();
        }
      }
      assertThat(carried).isEqualTo(300);
      assertThat(notifications).isBetween(5, 30);

      List<Job> claimed = store.claim(new ClaimRequest("w1", Set.of("batch_notify"), 300, Duration.ofMinutes(1)));
      assertThat(claimed).hasSize(300);
      store.heartbeat(claimed.stream().map(Lease::of).toList(), Duration.ofMinutes(2));
      for (Job j : claimed) {
        events.await(j.id(), JobEvent.Kind.STARTED, WAIT);
      }
      assertThat(events.events()).filteredOn(e -> e.type().equals("batch_notify"))
          .as("a heartbeat only moves leases and notifies nobody")
          .hasSize(600);
    }
  }

  @Test
  void anEventTooLargeForOneNotificationArrivesWithoutItsMessage() {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build()) {
      EventRecorder events = new EventRecorder();
      store.subscribe(events);
      String wide = "\u0001".repeat(255); // escaped in JSON as \u0001: 1,530 bytes
      Job job = store.insert(List.of(NewJobBuilder.newJob(clock).owner(wide).type(wide).build()), QuotaPolicy.unlimited()).get(0);
      Job running = store.claim(new ClaimRequest("w1", Set.of(wide), 1, Duration.ofMinutes(1))).get(0);
      // The first 1,000 characters go into the event: 6,000 bytes once escaped, 9,000 with owner and type.
      String huge = "\u0002".repeat(1500);
      store.reportProgress(Lease.of(running), 5, huge);
      store.reportProgress(Lease.of(running), 6, "small");

      JobEvent tooLarge = events.await(e -> e.jobId().equals(job.id()) && e.progress() == 5, WAIT, "progress 5");
      assertThat(tooLarge.kind()).isEqualTo(JobEvent.Kind.PROGRESS);
      assertThat(tooLarge.message()).isNull();
      assertThat(tooLarge.ownerId()).isEqualTo(wide);
      JobEvent small = events.await(e -> e.jobId().equals(job.id()) && e.progress() == 6, WAIT, "progress 6");
      assertThat(small.message()).isEqualTo("small");
      assertThat(events.kindsOf(job.id()))
          .containsExactly(JobEvent.Kind.CREATED, JobEvent.Kind.STARTED, JobEvent.Kind.PROGRESS, JobEvent.Kind.PROGRESS);
      UUID id = job.id();
      assertThat(store.find(id).orElseThrow().progressMessage()).isEqualTo("small");
    }
  }
}
