package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import dev.asyncjobs.testing.Waits;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store's listening connection heals itself, and closing the store ends it. */
class ListenerReconnectTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  /** Backend pids of this schema's listening connections that have run their LISTEN. */
  private static List<String> listenerPids() {
    return schema.column("SELECT pid FROM pg_stat_activity WHERE application_name = 'asyncjobs-listener'"
        + " AND query = 'LISTEN \"" + schema.name() + ".jobs\"' ORDER BY pid");
  }

  /** Polls a condition of the database until it holds (a condition, not a fixed sleep). */
  private static void awaitCondition(BooleanSupplier condition, String what) {
    Waits.until(what, WAIT, condition, () -> "listening backends " + listenerPids());
  }

  @Test
  void afterTheListeningBackendIsTerminatedEventsKeepFlowing() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build()) {
      EventRecorder events = new EventRecorder();
      store.subscribe(EventSubscription.allOwners(), events);
      Job before = store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build())).get(0);
      events.await(before.id(), JobEvent.Kind.CREATED, WAIT);

      List<String> pids = listenerPids();
      assertThat(pids).hasSize(1);
      String old = pids.get(0);
      assertThat(schema.value("SELECT pg_terminate_backend(" + old + ")")).isEqualTo("t");
      awaitCondition(() -> {
        List<String> now = listenerPids();
        return now.size() == 1 && !now.get(0).equals(old);
      }, "a new listening connection");

      Job after = store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build())).get(0);
      JobEvent created = events.await(after.id(), JobEvent.Kind.CREATED, WAIT);
      assertThat(created.ownerId()).isEqualTo(after.ownerId());

      // Twice more, to show the reconnect is not a one-off.
      String second = listenerPids().get(0);
      schema.value("SELECT pg_terminate_backend(" + second + ")");
      awaitCondition(() -> {
        List<String> now = listenerPids();
        return now.size() == 1 && !now.get(0).equals(second);
      }, "a third listening connection");
      Job third = store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).build())).get(0);
      events.await(third.id(), JobEvent.Kind.CREATED, WAIT);
    }
  }

  @Test
  void aChangeCommittedWhileTheListenerIsGoneIsDeliveredFromTheLog() throws Exception {
    MutableClock clock = new MutableClock();
    try (PostgresJobStore store = schema.storeBuilder(clock).build()) {
      EventRecorder events = new EventRecorder();
      store.subscribe(EventSubscription.allOwners(), events);
      String old = listenerPids().get(0);
      schema.value("SELECT pg_terminate_backend(" + old + ")");
      // Written with plain SQL, by nobody who would hint, right after the listener went away.
      java.util.UUID id = java.util.UUID.randomUUID();
      schema.execute("INSERT INTO " + schema.name() + ".jobs (id, owner_id, type, payload, created_at, updated_at, run_at)"
          + " VALUES ('" + id + "', 'o', 'while_away', '{}', now(), now(), now())");
      JobEvent created = events.await(id, JobEvent.Kind.CREATED, WAIT);
      assertThat(created.type()).isEqualTo("while_away");
      awaitCondition(() -> listenerPids().size() == 1 && !listenerPids().get(0).equals(old), "the listener to be back");
    }
  }

  @Test
  void closingTheStoreEndsTheListenerThreadAndConnection() throws Exception {
    PostgresJobStore store = schema.storeBuilder(new MutableClock()).build();
    store.subscribe(EventSubscription.allOwners(), e -> {});
    assertThat(listenerPids()).hasSize(1);
    String threadName = "asyncjobs-pg-listener-" + schema.name() + ".jobs";
    assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().equals(threadName));

    store.close();

    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(threadName) && t.isAlive());
    awaitCondition(() -> listenerPids().isEmpty(), "the listening backend to go away");
  }

  @Test
  void aStoreThatNobodySubscribesToHoldsNoListeningConnection() {
    try (PostgresJobStore store = schema.storeBuilder(new MutableClock()).build()) {
      store.insert(InsertRequest.of(NewJobBuilder.newJob(store.clock()).build()));
      assertThat(listenerPids()).isEmpty();
    }
  }
}
