package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Generator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TcpProxy;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database goes away under a running worker and comes back: calls fail with a store error
 * meanwhile, the worker keeps running, and afterwards jobs run and events flow again without
 * restarting anything.
 */
class DatabaseOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  record Echo(String text) {}

  static final class EchoGenerator implements Generator<Echo> {
    @Override public String type() { return "outage_echo"; }
    @Override public Class<Echo> payloadType() { return Echo.class; }
    @Override public Object generate(Echo payload, JobContext context) { return Map.of("echo", payload.text()); }
  }

  @Test
  void aWorkerRidesOutAnOutageAndCarriesOnWhenTheDatabaseIsBack() throws Exception {
    TestPostgres.Server server = TestPostgres.server();
    URI target = URI.create(server.url().substring("jdbc:".length()));
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort()).start();
        PostgresJobStore store = PostgresJobStore.builder()
            .jdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + target.getPath())
            .user(server.user()).password(server.password()).schema(schema.name())
            .connectionTimeout(Duration.ofMillis(500))
            .listenerReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .build();
        JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator())
            .quotaPolicy(QuotaPolicy.unlimited()).build();
        JobWorker worker = JobWorker.builder(jobs).pollInterval(Duration.ofMillis(200)).build().start()) {
      EventRecorder events = new EventRecorder();
      store.subscribe(EventSubscription.allOwners(), events);
      Job first = jobs.create(JobRequest.builder("o", "outage_echo").payload("{\"text\":\"before\"}").build());
      events.await(first.id(), JobEvent.Kind.COMPLETED, WAIT);

      proxy.stop();
      assertThatThrownBy(() -> store.find(first.id()))
          .isInstanceOf(JobStoreException.class).hasMessageContaining("find");
      assertThat(worker.isRunning()).isTrue();

      proxy.start();
      awaitReachable(store, first.id());
      Job second = jobs.create(JobRequest.builder("o", "outage_echo").payload("{\"text\":\"after\"}").build());
      JobEvent done = events.await(second.id(), JobEvent.Kind.COMPLETED, WAIT);
      assertThat(done.ownerId()).isEqualTo("o");
      assertThat(store.find(second.id()).orElseThrow().resultTree().get("echo").asText()).isEqualTo("after");
    }
  }

  /** Calls the store until a call succeeds: the pool drops its dead connections on the way. */
  private static void awaitReachable(PostgresJobStore store, UUID id) {
    Waits.untilSucceeds("the database to be reachable again", WAIT, JobStoreException.class, () -> store.find(id));
  }
}
