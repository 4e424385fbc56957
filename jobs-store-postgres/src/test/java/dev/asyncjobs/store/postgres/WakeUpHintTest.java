package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.WakeUpHints;
import dev.asyncjobs.store.postgres.internal.HintListener;
import dev.asyncjobs.store.postgres.internal.HintSender;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code onWakeUpHint}: another process's write wakes a worker before the event log is read, any
 * notification on the channel counts (it only prompts a look), and a closed registration hears
 * nothing more. A hint of writes that only appended events (a claim) tells the readers, not the
 * workers.
 */
class WakeUpHintTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Test
  void aWriteOfAnotherStoreInstanceWakesTheCallback() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore here = schema.storeBuilder(clock).build(); PostgresJobStore there = schema.storeBuilder(clock).build()) {
      Semaphore woken = new Semaphore(0);
      try (WakeUpHints hints = here.onWakeUpHint(woken::release)) {
        // The listener looks once after it connects, whatever happened before: wait for that look.
        assertThat(woken.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
        woken.drainPermits();
        there.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build()));
        assertThat(woken.tryAcquire(20, TimeUnit.SECONDS)).as("woken by the other instance's hint").isTrue();
      }
    }
  }

  @Test
  void anyNotificationOnTheChannelIsOnlyAPromptToLook() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore here = schema.storeBuilder(clock).build()) {
      Semaphore woken = new Semaphore(0);
      try (WakeUpHints hints = here.onWakeUpHint(woken::release)) {
        assertThat(woken.tryAcquire(20, TimeUnit.SECONDS)).as("the look after connecting").isTrue();
        woken.drainPermits();
        String jobs = schema.value("SELECT count(*) FROM " + schema.name() + ".jobs");
        String events = schema.value("SELECT count(*) FROM " + schema.name() + ".jobs_events");
        schema.value("SELECT pg_notify('" + schema.name() + ".jobs', '{\"forged\": true}') IS NULL");
        assertThat(woken.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
        // Nothing a notification says reaches the store's state: no job, no event appeared.
        assertThat(schema.value("SELECT count(*) FROM " + schema.name() + ".jobs")).isEqualTo(jobs);
        assertThat(schema.value("SELECT count(*) FROM " + schema.name() + ".jobs_events")).isEqualTo(events);
      }
    }
  }

  @Test
  void aClosedRegistrationHearsNothingMore() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore here = schema.storeBuilder(clock).build(); PostgresJobStore there = schema.storeBuilder(clock).build()) {
      AtomicInteger closedCalls = new AtomicInteger();
      WakeUpHints first = here.onWakeUpHint(closedCalls::incrementAndGet);
      first.close();
      int before = closedCalls.get();
      Semaphore second = new Semaphore(0);
      try (WakeUpHints open = here.onWakeUpHint(second::release)) {
        there.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build()));
        assertThat(second.tryAcquire(20, TimeUnit.SECONDS)).isTrue();
        // Callbacks are called in registration order: had the first still been registered, it
        // would have been called before the second.
        assertThat(closedCalls.get()).isEqualTo(before);
      }
    }
  }

  @Test
  void aClaimHintsThatOnlyEventsWereAppendedAndACompletionThatWorkMayBeDue() throws Exception {
    MutableClock clock = new MutableClock();
    String channel = schema.name() + ".jobs";
    try (Connection listening = schema.server().connect(); PostgresJobStore there = schema.storeBuilder(clock).build()) {
      try (Statement s = listening.createStatement()) {
        s.execute("LISTEN \"" + channel + "\"");
      }
      PGConnection pg = listening.unwrap(PGConnection.class);
      Job job = there.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build())).get(0);
      assertThat(nextPayload(pg)).as("an insert makes work").isEmpty();
      List<Job> claimed = there.claim(new ClaimRequest("w1", Set.of(job.type()), 1, Duration.ofSeconds(30)));
      assertThat(claimed).hasSize(1);
      assertThat(nextPayload(pg)).as("a claim only appends events").isEqualTo(HintSender.EVENTS_PAYLOAD);
      there.complete(new Completion(Lease.of(claimed.get(0)), "{}", Duration.ofMillis(1)));
      assertThat(nextPayload(pg)).as("a completion frees the job's limit slots").isEmpty();
    }
  }

  @Test
  void theListenerSaysWhetherTheHintsItHeardMayMeanWork() throws Exception {
    BlockingQueue<Boolean> heard = new LinkedBlockingQueue<>();
    String channel = schema.name() + ".hints_test";
    try (HintListener listener = new HintListener(schema.server()::connect, channel, Duration.ofMillis(50),
        Duration.ofSeconds(1), Duration.ofSeconds(20), heard::add, (pid, payload) -> false)) {
      listener.start();
      assertThat(heard.poll(20, TimeUnit.SECONDS)).as("the look after connecting, which may have missed anything").isTrue();
      schema.value("SELECT pg_notify('" + channel + "', '" + HintSender.EVENTS_PAYLOAD + "') IS NULL");
      assertThat(heard.poll(20, TimeUnit.SECONDS)).as("only events were appended").isFalse();
      schema.value("SELECT pg_notify('" + channel + "', '') IS NULL");
      assertThat(heard.poll(20, TimeUnit.SECONDS)).as("a plain hint").isTrue();
      schema.value("SELECT pg_notify('" + channel + "', '{\"forged\": 1}') IS NULL");
      assertThat(heard.poll(20, TimeUnit.SECONDS)).as("anything else may mean work").isTrue();
    }
  }

  /** The payload of the next notification on {@code pg}, waiting up to 20 s. */
  private static String nextPayload(PGConnection pg) throws SQLException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      PGNotification[] notifications = pg.getNotifications(500);
      if (notifications != null && notifications.length > 0) {
        assertThat(notifications).as("one hint per write here: they are sent a hint interval apart").hasSize(1);
        return notifications[0].getParameter();
      }
    }
    throw new AssertionError("no notification within 20 s");
  }
}
