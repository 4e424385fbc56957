package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Java sample of {@code docs/postgresql.md}, compiled and run against the test server: a store
 * on a schema of its own (created by the store), a manager and a worker that completes a job.
 */
class DocsExamplesTest {
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
}
