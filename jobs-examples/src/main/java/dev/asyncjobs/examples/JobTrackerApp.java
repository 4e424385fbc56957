package dev.asyncjobs.examples;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobStores;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.examples.http.ApiServer;
import dev.asyncjobs.examples.http.JwtAuth;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * The JobTracker example, wired: a store, a {@link JobManager} with the chosen generators,
 * moderation and quotas, a {@link JobWorker} and the {@link ApiServer}, each only where the
 * {@link Role} asks for it. This is the part to copy into an application.
 */
public final class JobTrackerApp implements AutoCloseable {
  private final JobStore store;
  private final GeneratorChoice generators;
  private final JobManager jobs;
  private final JwtAuth auth;
  private final @Nullable JobWorker worker;
  private final @Nullable ApiServer server;

  private JobTrackerApp(JobStore store, GeneratorChoice generators, JobManager jobs, JwtAuth auth,
      @Nullable JobWorker worker, @Nullable ApiServer server) {
    this.store = store;
    this.generators = generators;
    this.jobs = jobs;
    this.auth = auth;
    this.worker = worker;
    this.server = server;
  }

  /** Opens the store and starts what {@code settings.role()} asks for. */
  public static JobTrackerApp start(AppSettings settings) {
    JwtAuth auth = new JwtAuth(settings.jwtSecret(), settings.tokens());
    String url = settings.storeUrl();
    JobStore store = url == null ? new InMemoryJobStore(Clock.systemUTC()) : JobStores.open(url, settings.storeOptions());
    GeneratorChoice generators = null;
    JobManager jobs = null;
    JobWorker worker = null;
    try {
      generators = GeneratorChoice.of(settings);
      jobs = JobManager.builder()
          .store(store)
          .generators(generators.generators())
          .moderator(generators.moderator())
          .quotaPolicy(QuotaPolicy.builder().defaults(settings.quota()).build())
          .prices(ExamplePrices.TABLE)
          .build();
      if (settings.role().runsJobs()) {
        worker = JobWorker.builder(jobs)
            .concurrency(settings.workerConcurrency())
            .progressInterval(settings.progressInterval())
            .build()
            .start();
      }
      ApiServer server = settings.role().servesApi()
          ? ApiServer.builder(jobs, auth).host(settings.host()).port(settings.port()).start()
          : null;
      return new JobTrackerApp(store, generators, jobs, auth, worker, server);
    } catch (RuntimeException e) {
      if (worker != null) {
        worker.close();
      }
      if (jobs != null) {
        jobs.close();
      }
      if (generators != null && generators.openAi() != null) {
        generators.openAi().close();
      }
      store.close();
      throw e;
    }
  }

  /** The manager (to create jobs from code, as the tests do). */
  public JobManager jobs() {
    return jobs;
  }

  /** Signs and checks this app's tokens. */
  public JwtAuth auth() {
    return auth;
  }

  /** The HTTP port, or -1 when this process serves no API. */
  public int port() {
    return server == null ? -1 : server.port();
  }

  /**
   * Stops in order: HTTP first (no new jobs), then the worker (running jobs finish), then the
   * OpenAI client, then the store.
   */
  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (worker != null) {
      worker.close();
    }
    jobs.close();
    if (generators.openAi() != null) {
      generators.openAi().close();
    }
    store.close();
  }
}
