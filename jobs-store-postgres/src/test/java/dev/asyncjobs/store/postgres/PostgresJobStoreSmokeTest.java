package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.ClaimRequest;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobIds;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.Lease;
import dev.asyncjobs.NewJob;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.tck.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresJobStoreSmokeTest {
  static TestSchema schema;

  @BeforeAll
  static void schema() {
    schema = PostgresTestDatabase.newSchema();
  }

  @AfterAll
  static void drop() {
    schema.close();
  }

  @Test
  void aJobGoesThroughItsLifeAndEveryStepIsAnEvent() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build()) {
      LinkedBlockingQueue<JobEvent> events = new LinkedBlockingQueue<>();
      store.subscribe(events::add);
      NewJob n = new NewJob(JobIds.newId(clock), "u1", "img", "{\"prompt\":\"x\",\"n\":1}", 7, 2, clock.instant(), Duration.ofMillis(1500), null);
      Job created = store.insert(List.of(n), QuotaPolicy.unlimited()).get(0);
      assertThat(created.status()).isEqualTo(JobStatus.PENDING);
      assertThat(created.createdAt()).isEqualTo(clock.instant());
      assertThat(created.estimatedDuration()).isEqualTo(Duration.ofMillis(1500));
      assertThat(store.find(n.id())).contains(created);

      Job claimed = store.claim(new ClaimRequest("w1", Set.of("img"), 5, Duration.ofSeconds(30))).get(0);
      assertThat(claimed.attempts()).isEqualTo(1);
      assertThat(claimed.leaseUntil()).isEqualTo(clock.instant().plusSeconds(30));
      Job progressed = store.reportProgress(Lease.of(claimed), 40, "drawing");
      assertThat(progressed.progress()).isEqualTo(40);
      clock.advance(Duration.ofSeconds(2));
      Job done = store.complete(Lease.of(claimed), "{\"url\":\"u\"}", Duration.ofMillis(2345));
      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.actualDuration()).isEqualTo(Duration.ofMillis(2345));
      assertThat(done.finishedAt()).isEqualTo(clock.instant());

      assertThat(kinds(events, 4)).containsExactly(
          JobEvent.Kind.CREATED, JobEvent.Kind.STARTED, JobEvent.Kind.PROGRESS, JobEvent.Kind.COMPLETED);
      assertThat(store.recentDurations("img", 5)).containsExactly(Duration.ofMillis(2345));
      assertThat(store.stats("u1", null).get(0).p50Duration()).isEqualTo(Duration.ofMillis(2345));
    }
  }

  private static List<JobEvent.Kind> kinds(LinkedBlockingQueue<JobEvent> events, int n) throws InterruptedException {
    List<JobEvent.Kind> kinds = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      JobEvent e = events.poll(10, TimeUnit.SECONDS);
      assertThat(e).as("event %s", i).isNotNull();
      kinds.add(e.kind());
    }
    return kinds;
  }
}
