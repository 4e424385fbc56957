package dev.asyncjobs.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.store.postgres.TestSchema;
import dev.asyncjobs.testing.Deadline;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which failures are retried, provoked for real: a serialization failure, a deadlock, a connection
 * killed mid-statement, a syntax error.
 */
class DatabaseRetryTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private static Database db;
  private static String counter;

  @BeforeAll
  static void createSchema() {
    db = new Database(schema.dataSource());
    counter = schema.name() + ".counter";
    schema.execute("CREATE TABLE " + counter + " (id int PRIMARY KEY, n int NOT NULL)");
  }

  @BeforeEach
  void resetCounter() {
    schema.execute("TRUNCATE " + counter, "INSERT INTO " + counter + " VALUES (1, 0), (2, 0)");
  }

  @Test
  void aSerializationFailureIsRetriedAndTheRetrySucceeds() {
    AtomicInteger attempts = new AtomicInteger();
    db.run(Call.once("bump").inTransaction(), h -> {
      int attempt = attempts.incrementAndGet();
      h.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      h.createQuery("SELECT n FROM " + counter + " WHERE id = 1").mapTo(Integer.class).one(); // the snapshot
      if (attempt == 1) {
        schema.execute("UPDATE " + counter + " SET n = n + 100 WHERE id = 1"); // another session commits
      }
      return h.createUpdate("UPDATE " + counter + " SET n = n + 1 WHERE id = 1").execute();
    });
    assertThat(attempts).hasValue(2);
    assertThat(schema.value("SELECT n FROM " + counter + " WHERE id = 1")).isEqualTo("101");
  }

  @Test
  void aDeadlockVictimIsRetriedAndTheRetrySucceeds() throws Exception {
    CountDownLatch firstHasRow1 = new CountDownLatch(1);
    CountDownLatch otherHasRow2 = new CountDownLatch(1);
    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
      try (Connection c = TestPostgres.connect(); Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        st.execute("SET LOCAL deadlock_timeout = '20s'"); // so that the store's side is the victim
        firstHasRow1.await(30, TimeUnit.SECONDS);
        st.execute("UPDATE " + counter + " SET n = n + 10 WHERE id = 2");
        otherHasRow2.countDown();
        st.execute("UPDATE " + counter + " SET n = n + 10 WHERE id = 1");
        c.commit();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    AtomicInteger attempts = new AtomicInteger();
    db.run(Call.once("both rows").inTransaction(), h -> {
      int attempt = attempts.incrementAndGet();
      h.execute("SET LOCAL deadlock_timeout = '300ms'");
      h.execute("UPDATE " + counter + " SET n = n + 1 WHERE id = 1");
      if (attempt == 1) {
        firstHasRow1.countDown();
        await(otherHasRow2);
      }
      return h.execute("UPDATE " + counter + " SET n = n + 1 WHERE id = 2");
    });
    other.get(30, TimeUnit.SECONDS);
    assertThat(attempts).hasValue(2);
    assertThat(schema.column("SELECT n FROM " + counter + " ORDER BY id")).containsExactly("11", "11");
  }

  @Test
  void aConnectionKilledMidStatementIsRetriedOnlyWhenTheCallIsIdempotent() {
    AtomicInteger attempts = new AtomicInteger();
    String answer = db.run(Call.idempotent("sleepy read"), h -> {
      if (attempts.incrementAndGet() == 1) {
        killWhileSleeping(h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one());
        h.execute("SELECT pg_sleep(30)");
      }
      return "answered";
    });
    assertThat(answer).isEqualTo("answered");
    assertThat(attempts).hasValue(2);

    AtomicInteger onceAttempts = new AtomicInteger();
    assertThatThrownBy(() -> db.run(Call.once("sleepy write"), h -> {
      onceAttempts.incrementAndGet();
      killWhileSleeping(h.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one());
      return h.execute("SELECT pg_sleep(30)");
    }))
        .isInstanceOf(JobStoreException.class)
        .hasMessageContaining("sleepy write")
        .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("57P01"));
    assertThat(onceAttempts).hasValue(1);
  }

  @Test
  void anyOtherErrorIsNotRetriedAndCarriesItsSqlState() {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(() -> db.run(Call.idempotent("typo"), h -> {
      attempts.incrementAndGet();
      return h.execute("SELEC 1");
    }))
        .isInstanceOf(JobStoreException.class)
        .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("42601"));
    assertThat(attempts).hasValue(1);
  }

  /** Terminates backend {@code pid} as soon as it runs pg_sleep (polled: a condition, not a guess). */
  private static void killWhileSleeping(int pid) {
    CompletableFuture.runAsync(() -> {
      Deadline deadline = Deadline.after(Duration.ofSeconds(20));
      while (!deadline.hasPassed()) {
        if (!schema.column("SELECT 1 FROM pg_stat_activity WHERE pid = " + pid + " AND state = 'active'"
            + " AND query LIKE 'SELECT pg_sleep%'").isEmpty()) {
          schema.value("SELECT pg_terminate_backend(" + pid + ")");
          return;
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
