package dev.asyncjobs.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.store.postgres.TestSchema;
import dev.asyncjobs.testing.Deadline;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
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
    CompletableFuture<Void> other = otherSideOfADeadlock(firstHasRow1, otherHasRow2);
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

  /**
   * {@link Database#inCallerTransaction}: the failures that the store's own calls retry (a
   * serialization failure, a deadlock, provoked for real) are not retried in a transaction the store
   * does not own; they leave typed, telling the caller to retry its transaction, and that transaction
   * stays usable. Only a lost race for an idempotency key runs the work once more.
   */
  @Nested
  class InTheCallersTransaction {
    @Test
    void aSerializationFailureIsNotRetriedAndTheCallersTransactionStaysUsable() throws Exception {
      AtomicInteger attempts = new AtomicInteger();
      try (Connection c = schema.dataSource().getConnection()) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
          st.executeQuery("SELECT n FROM " + counter + " WHERE id = 1").close(); // the snapshot
        }
        schema.execute("UPDATE " + counter + " SET n = n + 100 WHERE id = 1"); // another session commits
        assertThatThrownBy(() -> db.inCallerTransaction(c, Call.once("bump"), h -> {
          attempts.incrementAndGet();
          return h.createUpdate("UPDATE " + counter + " SET n = n + 1 WHERE id = 1").execute();
        }))
            .isInstanceOf(JobStoreException.class)
            .hasMessageContaining("retry the whole transaction")
            .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("40001"));
        assertThat(attempts).hasValue(1);
        assertThat(c.getAutoCommit()).isFalse();
        assertThat(number(c, "SELECT n FROM " + counter + " WHERE id = 2")).as("the transaction still answers").isZero();
        c.rollback();
      }
    }

    @Test
    void aDeadlockVictimIsNotRetried() throws Exception {
      CountDownLatch callerHasRow1 = new CountDownLatch(1);
      CountDownLatch otherHasRow2 = new CountDownLatch(1);
      CompletableFuture<Void> other = otherSideOfADeadlock(callerHasRow1, otherHasRow2);
      AtomicInteger attempts = new AtomicInteger();
      try (Connection c = schema.dataSource().getConnection()) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          st.execute("SET LOCAL deadlock_timeout = '300ms'");
        }
        assertThatThrownBy(() -> db.inCallerTransaction(c, Call.once("both rows"), h -> {
          attempts.incrementAndGet();
          h.execute("UPDATE " + counter + " SET n = n + 1 WHERE id = 1");
          callerHasRow1.countDown();
          await(otherHasRow2);
          return h.execute("UPDATE " + counter + " SET n = n + 1 WHERE id = 2");
        }))
            .isInstanceOf(JobStoreException.class)
            .hasMessageContaining("retry the whole transaction")
            .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("40P01"));
        // The savepoint's rollback released row 1, so the other transaction finishes.
        other.get(30, TimeUnit.SECONDS);
        assertThat(attempts).hasValue(1);
        c.commit();
      }
      assertThat(schema.column("SELECT n FROM " + counter + " ORDER BY id")).containsExactly("10", "10");
    }

    @Test
    void aLostRaceForAnIdempotencyKeyRunsTheWorkOnceMoreAndNoMore() throws Exception {
      String raceOnKey = "DO $$ BEGIN RAISE unique_violation USING CONSTRAINT = 'x_jobs_owner_idempotency_key_idx'; END $$";
      AtomicInteger attempts = new AtomicInteger();
      try (Connection c = schema.dataSource().getConnection()) {
        c.setAutoCommit(false);
        String result = db.inCallerTransaction(c, Call.once("insert"), h -> {
          h.execute("UPDATE " + counter + " SET n = n + 1 WHERE id = 1");
          if (attempts.incrementAndGet() == 1) {
            h.execute(raceOnKey);
          }
          return "found the winner's job";
        });
        assertThat(result).isEqualTo("found the winner's job");
        assertThat(attempts).hasValue(2);

        AtomicInteger again = new AtomicInteger();
        assertThatThrownBy(() -> db.inCallerTransaction(c, Call.once("insert"), h -> {
          again.incrementAndGet();
          h.execute("UPDATE " + counter + " SET n = n + 1 WHERE id = 1");
          return h.execute(raceOnKey);
        }))
            .isInstanceOf(JobStoreException.class)
            .hasMessageContaining("REPEATABLE READ or SERIALIZABLE")
            .satisfies(e -> assertThat(((JobStoreException) e).sqlState()).isEqualTo("23505"));
        assertThat(again).hasValue(2);
        c.commit();
      }
      // The first call's second pass counted once; the refused call's passes were both undone.
      assertThat(schema.value("SELECT n FROM " + counter + " WHERE id = 1")).isEqualTo("1");
    }

    @Test
    void anAbortedTransactionIsRefusedAsATypedError() throws Exception {
      try (Connection c = schema.dataSource().getConnection()) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          assertThatThrownBy(() -> st.execute("SELEC 1")).isInstanceOf(SQLException.class);
        }
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> db.inCallerTransaction(c, Call.once("insert"), h -> attempts.incrementAndGet()))
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("aborted")
            .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("transaction"));
        assertThat(attempts).hasValue(0);
        c.rollback();
      }
    }

    private static long number(Connection c, String sql) throws SQLException {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * The other transaction of a deadlock, on its own connection: once the tested side holds row 1 it
   * takes row 2, says so, and then wants row 1. Its long deadlock timeout makes the tested side
   * (with 300 ms) the victim; it commits +10 on both rows once the victim lets go.
   */
  private static CompletableFuture<Void> otherSideOfADeadlock(CountDownLatch testedHasRow1, CountDownLatch otherHasRow2) {
    return CompletableFuture.runAsync(() -> {
      try (Connection c = TestPostgres.connect(); Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        st.execute("SET LOCAL deadlock_timeout = '20s'");
        testedHasRow1.await(30, TimeUnit.SECONDS);
        st.execute("UPDATE " + counter + " SET n = n + 10 WHERE id = 2");
        otherHasRow2.countDown();
        st.execute("UPDATE " + counter + " SET n = n + 10 WHERE id = 1");
        c.commit();
      } catch (Exception e) {
        throw new IllegalStateException(e);
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
