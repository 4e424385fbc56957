package dev.asyncjobs.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.webhooks.WebhookReceiver;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two workers on one PostgreSQL schema, each with its own store, manager and dispatcher: every
 * finished job is called back exactly once, although both dispatchers read the same events.
 */
class WebhooksOnPostgresTest {
  @RegisterExtension static final PostgresSchema schema = new PostgresSchema();
  private static final int JOBS = 20;

  @Test
  void twoWorkersDeliverEachFinishedJobOnceSigned() throws Exception {
    String secret = WebhookSignature.newSecret();
    List<AutoCloseable> open = new ArrayList<>();
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      List<JobManager> managers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Webhooks webhooks = Webhooks.builder().secrets(WebhookSecrets.of(Map.of("alice", List.of(secret))))
            .allowHttp(true).allowPrivateAddresses(true).dispatchInterval(Duration.ofMillis(50)).build();
        PostgresJobStore store = PostgresJobStore.builder().dataSource(schema.dataSource()).schema(schema.name()).build();
        JobManager jobs = webhooks.register(JobManager.builder().store(store)).generator(new EchoGenerator()).build();
        JobWorker worker = JobWorker.builder(jobs).workerId("w" + i).task(webhooks.dispatcher(jobs))
            .schedulePollInterval(Duration.ofMillis(50)).build();
        open.addAll(List.of(webhooks, store, jobs, worker));
        managers.add(jobs);
      }
      for (int i = 0; i < open.size(); i += 4) {
        ((JobWorker) open.get(i + 3)).start();
      }
      JobManager jobs = managers.get(0);

      Set<String> ids = new java.util.HashSet<>();
      for (int i = 0; i < JOBS; i++) {
        ids.add(jobs.create(JobRequest.builder("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("n" + i, 1))
            .metadata(Webhooks.CALLBACK_URL, receiver.url("/hooks")).build()).id().toString());
      }

      Waits.until("every delivery job completed", Duration.ofSeconds(60), () -> deliveries(jobs).stream()
          .filter(j -> j.status() == JobStatus.COMPLETED).count() == JOBS, () -> deliveries(jobs).size() + " deliveries");
      List<WebhookReceiver.Received> got = receiver.received();
      assertThat(got).as("one POST per finished job").hasSize(JOBS);
      assertThat(got.stream().map(WebhookReceiver.Received::id).distinct().count()).isEqualTo(JOBS);
      assertThat(got).allSatisfy(r -> assertThat(WebhookSignature.verify(secret, r.id(), r.timestamp(), r.body(), r.signature(),
          Instant.now(), WebhookSignature.DEFAULT_TOLERANCE)).isTrue());
      Set<String> calledBack = got.stream().map(r -> r.id().split("_")[1]).collect(Collectors.toSet());
      assertThat(calledBack).isEqualTo(ids);
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    }
  }

  private static List<Job> deliveries(JobManager jobs) {
    return JobAdmin.of(jobs).search(JobQuery.allOwners().types(Webhooks.DELIVERY_TYPE).limit(100).build()).items();
  }
}
