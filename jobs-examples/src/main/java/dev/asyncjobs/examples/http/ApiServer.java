package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.asyncjobs.JobManager;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.http.util.AsyncExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kotlin.LazyKt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API and the JobTracker page on Javalin (Jetty):
 *
 * <pre>
 * POST   /api/generate      create a job                          202 + Location
 * GET    /api/jobs          a page of the caller's jobs           ?status=&amp;type=&amp;limit=&amp;cursor=
 * GET    /api/jobs/{id}     one job                               404 also for another owner's job
 * GET    /api/jobs/{id}/output what the job streamed so far          {text, parts, attempt, lastSequence}
 * DELETE /api/jobs/{id}     cancel                                200 cancelled, 202 cancel requested
 * POST   /api/stream-tickets a ticket that opens one event stream  {ticket, expiresAt, streamEndsAt}
 * GET    /api/jobs/events   the caller's job events (SSE)         also ?ticket= instead of the header;
 *                           streamed output as delta, part and restart events
 * GET    /api/quota         the caller's quota
 * GET    /api/stats         per-type metrics                      ?scope=owner|all (all: operators)
 * GET    /api/usage         what jobs consumed and cost, by type  ?from=&amp;to= (ISO-8601; default this
 *                           UTC month) &amp;scope=owner|all (all: operators)
 * GET    /api/budget        the caller's budget and what it counts today and this month
 * GET    /api/admin/...     the operators' routes (AdminRoutes)   403 without the operator claim;
 *                           /api/admin/events: every owner's events (SSE, bearer header only)
 * GET    /healthz           liveness and store reachability       no token
 * GET    /                  the JobTracker page                   no token
 * GET    /admin             the operators' page                   no token (its API calls need one)
 * </pre>
 *
 * Every {@code /api/} route needs a valid bearer token; errors are {@code application/problem+json}.
 * A token is never accepted in a URL. The event stream also opens with a short-lived ticket from
 * {@code POST /api/stream-tickets} as {@code ?ticket=} (a browser's {@code EventSource} cannot send
 * headers), ends when the credential that opened it expires, and is capped per user and in total.
 * Jetty's own refusals are problem JSON too. API answers carry {@code Cache-Control: no-store} and {@code
 * X-Content-Type-Options: nosniff}; a declared body over the limit is refused before it is read, a
 * create must be JSON (415 otherwise), and a body that stops or drips is cut off with 408.
 */
public final class ApiServer implements AutoCloseable {
  /** The one route that also accepts a stream ticket as {@code ?ticket=}. */
  public static final String EVENTS_PATH = "/api/jobs/events";
  /** The route that mints stream tickets. */
  public static final String TICKETS_PATH = "/api/stream-tickets";

  /** The names of the threads that write event streams begin with this. */
  public static final String STREAM_THREAD_PREFIX = "asyncjobs-event-stream-";

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final Javalin app;
  private final JobEventStream events;
  private final ExecutorService streamThreads;

  private ApiServer(Javalin app, JobEventStream events, ExecutorService streamThreads) {
    this.app = app;
    this.events = events;
    this.streamThreads = streamThreads;
  }

  /** Starts a builder for a server over {@code jobs} that trusts tokens checked by {@code auth}. */
  public static Builder builder(JobManager jobs, JwtAuth auth) {
    return new Builder(jobs, auth);
  }

  /** The port it listens on (the real one when it was started on port 0). */
  public int port() {
    return app.port();
  }

  /** How many event streams are open now (for tests and metrics). */
  public int openEventStreams() {
    return events.openStreams();
  }

  /**
   * How many times an event stream fell further behind than its queue and read what it had not
   * sent from the event log instead (for tests and metrics).
   */
  public long eventStreamCatchUps() {
    return events.catchUps();
  }

  /** Ends open event streams, then stops the server. */
  @Override
  public void close() {
    events.close();
    app.stop();
    streamThreads.shutdownNow();
  }

  /** Settings of an {@link ApiServer}. */
  public static final class Builder {
    private final JobManager jobs;
    private final JwtAuth auth;
    private String host = "127.0.0.1";
    private int port = 8080;
    private long maxBodyBytes = JobManager.DEFAULT_MAX_PAYLOAD_BYTES + 64 * 1024;
    private Duration heartbeat = Duration.ofSeconds(15);
    private int streamQueueCapacity = 1000;
    private int maxStreamsPerUser = 5;
    private int maxStreams = 1000;
    private Duration streamTicketTtl = Duration.ofSeconds(60);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private long minBodyBytesPerSecond = 1024;
    private Duration bodyRateGrace = Duration.ofSeconds(5);
    private Duration statsCacheTtl = Duration.ofSeconds(5);

    private Builder(JobManager jobs, JwtAuth auth) {
      this.jobs = Objects.requireNonNull(jobs, "jobs");
      this.auth = Objects.requireNonNull(auth, "auth");
    }

    /** The interface to bind; default loopback ({@code 127.0.0.1}), {@code 0.0.0.0} for all. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port; 0 picks a free one. Default 8080. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new dev.asyncjobs.JobConfigurationException("PORT must be 0-65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The largest request body; default 1 MiB + 64 KiB, so that a payload at the manager's 1 MiB
     * limit still fits in its JSON envelope and gets the manager's precise 413.
     */
    public Builder maxBodyBytes(long bytes) {
      if (bytes < 1024) {
        throw new dev.asyncjobs.JobConfigurationException("maxBodyBytes must be at least 1024, was " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /** How often an idle event stream sends a keep-alive comment; default 15 s. */
    public Builder heartbeat(Duration interval) {
      if (interval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new dev.asyncjobs.JobConfigurationException("heartbeat must be at least 10 ms, was " + interval);
      }
      this.heartbeat = interval;
      return this;
    }

    /** Events a stream may have unsent before it is dropped; default 1000. */
    public Builder streamQueueCapacity(int capacity) {
      if (capacity < 1) {
        throw new dev.asyncjobs.JobConfigurationException("streamQueueCapacity must be at least 1, was " + capacity);
      }
      this.streamQueueCapacity = capacity;
      return this;
    }

    /**
     * Event streams one user may have open at once (tabs, devices); default 5. One more is
     * answered 429 {@code too_many_streams}.
     */
    public Builder maxStreamsPerUser(int streams) {
      if (streams < 1) {
        throw new dev.asyncjobs.JobConfigurationException("maxStreamsPerUser must be at least 1, was " + streams);
      }
      this.maxStreamsPerUser = streams;
      return this;
    }

    /**
     * How long a request may go without a byte arriving or leaving while it is handled (a body
     * that stops, a client that stops reading); default 30 s. Must be longer than the {@link
     * #heartbeat} so that an idle event stream is never cut.
     */
    public Builder idleTimeout(Duration timeout) {
      if (timeout.compareTo(Duration.ofMillis(50)) < 0) {
        throw new dev.asyncjobs.JobConfigurationException("idleTimeout must be at least 50 ms, was " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * Event streams the server keeps open at once, of all users; default 1000. Each holds a thread
     * while it is open (a blocking write per stream, as Javalin's SSE does on Java 17), so this is
     * also the most threads the streams use. One more is answered 429 {@code too_many_streams}.
     */
    public Builder maxStreams(int streams) {
      if (streams < 1 || streams > 100_000) {
        throw new dev.asyncjobs.JobConfigurationException(
            "maxStreams must be 1-100000 (each open stream holds a thread), was " + streams);
      }
      this.maxStreams = streams;
      return this;
    }

    /**
     * The slowest a request body may arrive once {@code grace} has passed since the server began
     * to read it; slower bodies get 408 and the connection is closed. Default 1024 bytes/s after
     * 5 s: a client that drips one byte every few seconds no longer holds a server thread.
     */
    public Builder minBodyRate(long bytesPerSecond, Duration grace) {
      if (bytesPerSecond < 1) {
        throw new dev.asyncjobs.JobConfigurationException("minBodyRate must be at least 1 byte/s, was " + bytesPerSecond);
      }
      if (grace.isNegative()) {
        throw new dev.asyncjobs.JobConfigurationException("the grace of minBodyRate must not be negative, was " + grace);
      }
      this.minBodyBytesPerSecond = bytesPerSecond;
      this.bodyRateGrace = grace;
      return this;
    }

    /**
     * How long a ticket from {@code POST /api/stream-tickets} may be used to open an event stream;
     * default 60 s. The stream it opens lasts until the token that minted it expires.
     */
    public Builder streamTicketTtl(Duration ttl) {
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new dev.asyncjobs.JobConfigurationException(
            "streamTicketTtl must be 1 s to 10 min (a ticket only opens a stream; long-lived ones defeat it), was " + ttl);
      }
      this.streamTicketTtl = ttl;
      return this;
    }

    /**
     * How long the cross-tenant statistics ({@code /api/stats?scope=all}) are reused before the
     * table is read again; default 5 s. Measured on the manager's clock.
     */
    public Builder statsCacheTtl(Duration ttl) {
      if (ttl.isNegative()) {
        throw new dev.asyncjobs.JobConfigurationException("statsCacheTtl must not be negative, was " + ttl);
      }
      this.statsCacheTtl = ttl;
      return this;
    }

    /** Builds and starts the server. */
    public ApiServer start() {
      if (maxStreamsPerUser > maxStreams) {
        throw new dev.asyncjobs.JobConfigurationException("maxStreamsPerUser (" + maxStreamsPerUser
            + ") must not exceed maxStreams (" + maxStreams + ")");
      }
      if (heartbeat.compareTo(idleTimeout) >= 0) {
        throw new dev.asyncjobs.JobConfigurationException("heartbeat (" + heartbeat
            + ") must be shorter than idleTimeout (" + idleTimeout + "), or idle event streams are cut");
      }
      JobRoutes routes = new JobRoutes(jobs, statsCacheTtl);
      JobEventStream events = new JobEventStream(jobs, heartbeat, streamQueueCapacity,
          new StreamLimits(maxStreamsPerUser, maxStreams));
      StreamTickets tickets = new StreamTickets(auth, jobs.clock(), streamTicketTtl);
      Authentication authentication = new Authentication(auth, tickets, EVENTS_PATH);
      ExecutorService streamThreads = streamThreads(maxStreams);
      ProblemMapper problems = new ProblemMapper(jobs.clock(), maxBodyBytes);
      RequestBodyRules bodyRules = new RequestBodyRules(maxBodyBytes);
      Javalin app = Javalin.create(config -> {
        config.startup.showJavalinBanner = false;
        // The streams' threads: Javalin runs each SSE client on its async executor, unbounded by
        // default; this one never has more threads than streams may be open.
        config.concurrency.executor = LazyKt.lazyOf(new AsyncExecutor(streamThreads));
        config.http.maxRequestSize = maxBodyBytes;
        // While a request is handled, Jetty applies this instead of the connector's idle timeout.
        config.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(idleTimeout.toMillis()));
        config.jetty.modifyServer(server -> {
          // Javalin puts its servlet context inside a wrapper it finds here, so every body read
          // passes the rate check.
          server.setHandler(new MinimumBodyRate(minBodyBytesPerSecond, bodyRateGrace));
          server.setErrorHandler(new ProblemErrorHandler());
        });
        config.staticFiles.add(files -> {
          files.hostedPath = "/";
          files.directory = "/tracker";
          files.location = Location.CLASSPATH;
          files.headers = Map.of(
              "Content-Security-Policy",
              "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; "
                  + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
              "X-Content-Type-Options", "nosniff",
              "Referrer-Policy", "no-referrer",
              "Cache-Control", "no-cache");
        });
        config.routes.before("/api/*", ApiHeaders::apply);
        config.routes.before("/healthz", ApiHeaders::apply);
        // Before authentication: an oversized or non-JSON body is refused without reading a byte.
        config.routes.before("/api/*", bodyRules::limitDeclaredLength);
        config.routes.before("/api/generate", bodyRules::requireJson);
        config.routes.before("/api/*", authentication::filter);
        config.routes.get("/healthz", ctx -> health(ctx, jobs));
        // The operators' page; "/admin/" matches this route too (trailing slashes are ignored), so
        // both go to the file itself (the browser keeps a #token= fragment across the redirect).
        config.routes.get("/admin", ctx -> ctx.redirect("/admin/index.html"));
        config.routes.post("/api/generate", routes::create);
        config.routes.post(TICKETS_PATH, tickets::create);
        // Registered before /api/jobs/{id}, so that "events" is never read as a job id.
        config.routes.get(EVENTS_PATH, events::handle);
        config.routes.get("/api/jobs", routes::list);
        config.routes.get("/api/jobs/{id}", routes::get);
        config.routes.get("/api/jobs/{id}/output", routes::output);
        config.routes.delete("/api/jobs/{id}", routes::cancel);
        config.routes.get("/api/quota", routes::quota);
        config.routes.get("/api/stats", routes::stats);
        config.routes.get("/api/usage", routes::usage);
        config.routes.get("/api/budget", routes::budget);
        AdminRoutes admin = new AdminRoutes(jobs);
        config.routes.before("/api/admin/*", AdminRoutes::requireOperator); // after authentication: operators only
        config.routes.get("/api/admin/events", events::handleAllOwners); // every owner's events, live
        config.routes.get("/api/admin/jobs", admin::search);
        config.routes.get("/api/admin/jobs/{id}", admin::detail);
        config.routes.post("/api/admin/jobs/{id}/retry", admin::retry);
        config.routes.post("/api/admin/jobs/{id}/cancel", admin::cancel);
        config.routes.delete("/api/admin/jobs/{id}", admin::delete);
        config.routes.get("/api/admin/queues", admin::queues);
        config.routes.get("/api/admin/throughput", admin::throughput);
        config.routes.post("/api/admin/types/{name}/pause", admin::pause);
        config.routes.post("/api/admin/types/{name}/resume", admin::resume);
        config.routes.exception(Exception.class, (e, ctx) -> HttpIo.problem(ctx, problems.toProblem(e)));
        config.routes.exception(TooManyStreamsException.class, (e, ctx) -> HttpIo.problem(ctx, e.toProblem()));
        // Javalin's own refusals (no route, body too large, 406) take this path, not the one above.
        config.routes.exception(HttpResponseException.class, (e, ctx) -> HttpIo.problem(ctx, problems.toProblem(e)));
      });
      try {
        app.start(host, port);
      } catch (RuntimeException e) {
        streamThreads.shutdownNow();
        throw e;
      }
      LOG.info("HTTP API listening on port {}", app.port());
      return new ApiServer(app, events, streamThreads);
    }

    /**
     * At most {@code size} threads, made when needed and gone after a minute idle. Tasks queue
     * rather than fail: a stream's permit is released just before its thread returns to the pool,
     * so the next stream may briefly wait for it.
     */
    private static ExecutorService streamThreads(int size) {
      AtomicInteger number = new AtomicInteger();
      ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, STREAM_THREAD_PREFIX + number.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      pool.allowCoreThreadTimeOut(true);
      return pool;
    }

    private static void health(io.javalin.http.Context ctx, JobManager jobs) {
      try {
        jobs.ping();
        HttpIo.json(ctx, 200, JsonNodeFactory.instance.objectNode().put("status", "ok"));
      } catch (RuntimeException e) {
        LOG.warn("health check: the store does not answer", e);
        HttpIo.json(ctx, 503, JsonNodeFactory.instance.objectNode().put("status", "unavailable"));
      }
    }
  }
}
