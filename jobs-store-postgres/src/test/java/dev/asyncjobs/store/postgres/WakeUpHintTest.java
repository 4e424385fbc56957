package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.WakeUpHints;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code onWakeUpHint}: another process's write wakes a worker before the event log is read, any
 * notification on the channel counts (it only prompts a look), and a closed registration hears
 * nothing more.
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
}
