package dev.asyncjobs.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.store.postgres.TestSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Database#inCallerTransaction}: the failures that the store's own calls retry (a
 * serialization failure, a deadlock, provoked for real) are not retried in a transaction the store
 * does not own; they leave typed, telling the caller to retry its transaction, and that transaction
 * stays usable. Only a lost race for an idempotency key runs the work once more.
 */
class CallerTransactionRetryTest {
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
    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
      try (Connection c = schema.dataSource().getConnection(); Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        st.execute("SET LOCAL deadlock_timeout = '20s'"); // so that the caller's side is the victim
        callerHasRow1.await(30, TimeUnit.SECONDS);
        st.execute("UPDATE " + counter + " SET n = n + 10 WHERE id = 2");
        otherHasRow2.countDown();
        st.execute("UPDATE " + counter + " SET n = n + 10 WHERE id = 1");
        c.commit();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
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

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
