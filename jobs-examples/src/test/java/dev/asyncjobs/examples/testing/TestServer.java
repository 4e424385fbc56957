package dev.asyncjobs.examples.testing;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.examples.demo.DemoGenerators;
import dev.asyncjobs.examples.demo.DemoSettings;
import dev.asyncjobs.examples.http.ApiServer;
import dev.asyncjobs.examples.http.JwtAuth;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The API on a real socket (port 0) over an in-memory store, with or without a worker, for tests.
 * Jobs stay PENDING when there is no worker, which makes cancel and filter tests deterministic.
 */
public final class TestServer implements AutoCloseable {
  /** The HS256 secret of every test server. */
  public static final String SECRET = "test-secret-that-is-long-enough-for-hs256!";

  private final InMemoryJobStore store;
  private final JobManager jobs;
  private final @Nullable JobWorker worker;
  private final ApiServer server;
  private final JwtAuth auth = new JwtAuth(SECRET);

  private TestServer(Builder b) {
    store = new InMemoryJobStore(Clock.systemUTC());
    jobs = b.manager.apply(JobManager.builder()
            .store(store)
            .generators(DemoGenerators.all(new DemoSettings(b.step)))
            .moderator(DemoGenerators.moderator())
            .quotaPolicy(QuotaPolicy.builder().defaults(b.quota).build()))
        .build();
    worker = b.worker
        ? JobWorker.builder(jobs).concurrency(4).progressInterval(Duration.ofMillis(10)).build().start()
        : null;
    server = b.server.apply(ApiServer.builder(jobs, auth).host("127.0.0.1").port(0)).start();
  }

  /** Starts a builder: no worker, no quota, demo steps of 50 ms. */
  public static Builder builder() {
    return new Builder();
  }

  /** The manager behind the API. */
  public JobManager jobs() {
    return jobs;
  }

  /** The HTTP server. */
  public ApiServer server() {
    return server;
  }

  /** A client of this server acting as nobody in particular (pass tokens per call). */
  public ApiClient client() {
    return new ApiClient("http://127.0.0.1:" + server.port());
  }

  /** A valid token for {@code owner}. */
  public String token(String owner) {
    return auth.issue(owner, Duration.ofHours(1));
  }

  /** A valid token for {@code owner} that also carries the operator claim. */
  public String operatorToken(String owner) {
    return auth.issueOperator(owner, Duration.ofHours(1));
  }

  /** Signs and checks tokens. */
  public JwtAuth auth() {
    return auth;
  }

  /** The store under the server, for tests that must reach past the manager (e.g. to prune events). */
  public InMemoryJobStore store() {
    return store;
  }

  @Override
  public void close() {
    server.close();
    if (worker != null) {
      worker.close();
    }
    jobs.close();
    store.close();
  }

  /** Settings of a {@link TestServer}. */
  public static final class Builder {
    private boolean worker;
    private Duration step = Duration.ofMillis(50);
    private QuotaLimits quota = QuotaLimits.UNLIMITED;
    private UnaryOperator<JobManager.Builder> manager = UnaryOperator.identity();
    private UnaryOperator<ApiServer.Builder> server = UnaryOperator.identity();

    /** Runs jobs with a worker in the same process. */
    public Builder withWorker() {
      worker = true;
      return this;
    }

    /** The pause between two demo progress steps. */
    public Builder step(Duration d) {
      step = d;
      return this;
    }

    /** Every owner's limits. */
    public Builder quota(QuotaLimits limits) {
      quota = limits;
      return this;
    }

    /** Further manager settings. */
    public Builder manager(UnaryOperator<JobManager.Builder> m) {
      manager = m;
      return this;
    }

    /** Further server settings. */
    public Builder server(UnaryOperator<ApiServer.Builder> s) {
      server = s;
      return this;
    }

    /** Starts it. */
    public TestServer start() {
      return new TestServer(this);
    }
  }
}
