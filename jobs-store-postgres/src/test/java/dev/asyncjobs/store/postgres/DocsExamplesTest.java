package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.tck.EchoGenerator.Echo;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java sample of {@code docs/postgresql.md}, compiled and run against the test server: a store
 * on a schema of its own (created by the store), a manager and a worker that completes a job; and
 * a job created in the host's own JDBC transaction, which runs when the order it belongs to
 * commits and is gone with it when the order is rolled back.
 */
class DocsExamplesTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Test
  void theStoreManagerAndWorkerOfThePageRunAJob() throws Exception {
    TestPostgres.Server server = TestPostgres.server();
    String jdbcUrl = server.url();
    String user = server.user();
    String secret = server.password();
    String schema = "docs_" + UUID.randomUUID().toString().substring(0, 8);
    List<Generator<?>> generators = List.of(new EchoGenerator());
    try {
      // EXAMPLE-BEGIN postgres
      PostgresJobStore store = PostgresJobStore.builder()
          .jdbcUrl(jdbcUrl).user(user).password(secret)
          .schema(schema)                      // created if missing; default public
          .build();                            // connects and migrates the schema
      JobManager jobs = JobManager.builder().store(store).generators(generators).build();
      JobWorker worker = JobWorker.builder(jobs).build().start();
      // EXAMPLE-END postgres
      try (store; jobs; worker) {
        EventRecorder events = new EventRecorder();
        try (Subscription s = jobs.subscribe("alice", events)) {
          Job job = jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 2)));
          events.await(job.id(), JobEvent.Kind.COMPLETED, Duration.ofSeconds(20));
          assertThat(jobs.get("alice", job.id()).resultTree().get("text").asText()).isEqualTo("hihi");
        }
      }
    } finally {
      try (var c = server.connect(); var st = c.createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }

  @Test
  void aJobCreatedInTheHostsTransactionCommitsAndRollsBackWithIt() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.server().url());
    config.setUsername(schema.server().user());
    config.setPassword(schema.server().password());
    config.setSchema(schema.name()); // the host's own tables: "orders" below
    config.setMaximumPoolSize(4);
    try (HikariDataSource dataSource = new HikariDataSource(config);
        PostgresJobStore store = PostgresJobStore.builder().dataSource(dataSource).schema(schema.name()).build();
        JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator()).build();
        JobWorker worker = JobWorker.builder(jobs).build().start()) {
      schema.execute("CREATE TABLE " + schema.table("orders") + " (id bigint PRIMARY KEY, customer text NOT NULL)");
      placeOrder(dataSource, jobs, 42);
      Waits.until("the invoice job to complete", Duration.ofSeconds(20),
          () -> schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'COMPLETED'") == 1);

      // The same order again: its insert fails, the transaction rolls back, and no second job exists.
      try {
        placeOrder(dataSource, jobs, 42);
        throw new AssertionError("a second order 42 was accepted");
      } catch (SQLException expected) {
        assertThat(expected.getSQLState()).isEqualTo("23505");
      }
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs"))).isEqualTo(1);
      assertThat(jobs.list(JobQuery.forOwner("alice").build()).items()).extracting(Job::status)
          .containsExactly(JobStatus.COMPLETED);
    }
  }

  /** The host's order and its invoice job, in one transaction. */
  private static void placeOrder(DataSource dataSource, JobManager jobs, long orderId) throws SQLException {
    // EXAMPLE-BEGIN postgres-transaction
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement order = c.prepareStatement("INSERT INTO orders (id, customer) VALUES (?, ?)")) {
          order.setLong(1, orderId);
          order.setString(2, "alice");
          order.executeUpdate();
        }
        jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new Echo("invoice " + orderId, 1)), c);
        c.commit();                        // the order and its job, or neither
      } catch (SQLException | RuntimeException e) {
        c.rollback();                      // a refused create left the transaction usable; end it here
        throw e;
      }
    }
    // EXAMPLE-END postgres-transaction
  }
}
