package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.SlotGenerator;
import dev.asyncjobs.reliability.child.WebhookWorkerMain;
import dev.asyncjobs.reliability.support.ChildJvm;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import dev.asyncjobs.testing.webhooks.WebhookReceiver;
import dev.asyncjobs.webhooks.WebhookSignature;
import dev.asyncjobs.webhooks.Webhooks;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Webhooks through a crash: two worker processes run the jobs, the dispatcher and the deliveries;
 * one is killed (SIGKILL) while jobs are still finishing, and a new one takes its place. Every one of
 * {@code reliability.webhook.jobs} jobs (default 40) is called back, signed, and has exactly one
 * delivery job: the dispatcher's repeat after the kill created no second one. (The receiver may see
 * a message twice, when a killed process's delivery is retried; it deduplicates on webhook-id.)
 */
class WebhookAcrossProcessesTest {
  private static final Path LOGS = Path.of("target", "reliability-logs", "webhooks");
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void everyFinishedJobIsCalledBackOnceThroughAKill() {
    int count = Sizes.count("reliability.webhook.jobs", 40);
    String secret = WebhookSignature.newSecret();
    WebhookReceiver receiver = new WebhookReceiver();
    String url = receiver.url("/hooks");
    List<ChildJvm> workers = new ArrayList<>();
    try (Schema schema = Schema.create(TestPostgres.server(), "webhooks");
        PostgresJobStore store = schema.storeBuilder().build();
        Webhooks webhooks = Webhooks.builder().secrets(owner -> List.of(secret)).allowHttp(true).allowPrivateAddresses(true).build();
        JobManager jobs = webhooks.register(JobManager.builder().store(store)).generator(new SlotGenerator(null, null, "test"))
            .quotaPolicy(QuotaPolicy.unlimited()).build()) {
      List<String> options = new ArrayList<>(schema.childProperties());
      options.add("-Dwebhook.secret=" + secret);
      for (String id : List.of("hook-1", "hook-2")) {
        workers.add(ChildJvm.start(id, WebhookWorkerMain.class, options, List.of(id), LOGS));
      }
      workers.forEach(w -> w.awaitLine(l -> l.startsWith("READY"), WAIT, "READY"));

      Set<String> ids = new HashSet<>();
      for (int i = 0; i < count; i++) {
        ids.add(jobs.create(JobRequest.builder("alice", SlotGenerator.TYPE).payloadOf(new SlotGenerator.Work(i, 50))
            .metadata(Webhooks.CALLBACK_URL, url).build()).id().toString());
      }
      Waits.until("a quarter of the webhooks", WAIT, () -> calledBack(receiver.received()).size() >= count / 4,
          () -> calledBack(receiver.received()).size());
      workers.get(0).kill();
      ChildJvm replacement = ChildJvm.start("hook-3", WebhookWorkerMain.class, options, List.of("hook-3"), LOGS);
      workers.add(replacement);
      replacement.awaitLine(l -> l.startsWith("READY"), WAIT, "READY");
      String jobsTable = schema.table("jobs");
      String deliveries = "SELECT count(*) FROM " + jobsTable + " WHERE type = '" + Webhooks.DELIVERY_TYPE + "'";
      Waits.until("every job called back and every delivery finished", WAIT,
          () -> calledBack(receiver.received()).equals(ids) && schema.number(deliveries + " AND status = 'COMPLETED'") == count,
          () -> calledBack(receiver.received()).size() + " called back, " + schema.number(deliveries + " AND status = 'COMPLETED'")
              + " deliveries completed");
      workers.stream().filter(ChildJvm::isAlive).forEach(w -> w.send("STOP"));
      workers.stream().filter(ChildJvm::isAlive).forEach(w -> w.waitFor(Duration.ofSeconds(20)));

      assertThat(schema.number(deliveries)).as("delivery jobs: one per finished job").isEqualTo(count);
      assertThat(receiver.received()).allSatisfy(r -> assertThat(WebhookSignature.verify(secret, r.id(), r.timestamp(), r.body(),
          r.signature(), Instant.now(), Duration.ofMinutes(5))).as("signed: " + r.id()).isTrue());
    } finally {
      workers.forEach(ChildJvm::close);
      receiver.close();
    }
  }

  /** The job ids the receiver was called back for. */
  private static Set<String> calledBack(List<WebhookReceiver.Received> received) {
    Set<String> out = new HashSet<>();
    received.forEach(r -> out.add(r.id().split("_")[1]));
    return out;
  }
}
