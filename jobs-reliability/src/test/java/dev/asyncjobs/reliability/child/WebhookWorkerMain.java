package dev.asyncjobs.reliability.child;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.webhooks.WebhookSecrets;
import dev.asyncjobs.webhooks.Webhooks;
import java.time.Duration;
import java.util.List;

/**
 * A worker process for the webhook test: {@link SlotGenerator} jobs and webhook deliveries on the
 * PostgreSQL schema the test names, the dispatcher among its tasks, every owner signing with the
 * secret of {@code -Dwebhook.secret}. Callback URLs may be plain http on this machine (the test's
 * receiver); leases are short, so that a killed process's deliveries come back soon. Prints {@code
 * READY <workerId>} once it runs; on {@code STOP} closes gracefully, prints {@code STOPPED}, exits.
 *
 * <p>Argument: the worker id.
 */
public final class WebhookWorkerMain {
  private WebhookWorkerMain() {}

  /** Runs until STOP or end of input. */
  public static void main(String[] args) throws InterruptedException {
    String workerId = args[0];
    String secret = System.getProperty("webhook.secret");
    ChildDatabase db = ChildDatabase.fromSystemProperties();
    HikariDataSource pool = db.pool("webhooks-" + workerId, 8);
    PostgresJobStore store = db.store(pool);
    Webhooks webhooks = Webhooks.builder()
        .secrets(WebhookSecrets.of(java.util.Map.of("alice", List.of(secret))))
        .allowHttp(true)
        .allowPrivateAddresses(true)
        .retryDelays(List.of(Duration.ofMillis(100)))
        .dispatchInterval(Duration.ofMillis(50))
        .build();
    JobManager jobs = webhooks.register(JobManager.builder().store(store))
        .generator(new SlotGenerator(null, null, workerId))
        .quotaPolicy(QuotaPolicy.unlimited())
        .build();
    JobWorker worker = JobWorker.builder(jobs)
        .workerId(workerId)
        .concurrency(4)
        .leaseDuration(Duration.ofSeconds(2))
        .schedulePollInterval(Duration.ofMillis(50))
        .retryPolicy(Webhooks.DELIVERY_TYPE, RetryPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(100)))
        .task(webhooks.dispatcher(jobs))
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .build()
        .start();

    StdinCommands.announceAndAwaitStop("READY " + workerId);
    worker.close();
    jobs.close();
    webhooks.close();
    store.close();
    pool.close();
    StdinCommands.say("STOPPED " + workerId);
    System.exit(0);
  }
}
