package dev.asyncjobs.reliability.child;

import com.zaxxer.hikari.HikariDataSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.examples.http.ApiServer;
import dev.asyncjobs.examples.http.JwtAuth;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/**
 * One side of the quota race: {@code threads} threads of one process, each holding one create for
 * the same owner, all waiting on one latch. Prints {@code READY} when every thread waits; on the
 * input line {@code GO} opens the latch; then prints one line per create ({@code OK <jobId>},
 * {@code QUOTA <limit> <value>}, or {@code ERROR <class>: <message>}) and {@code DONE}, and exits.
 *
 * <p>Arguments: owner, threads, channel ({@code manager}: each thread calls {@link
 * JobManager#create}; {@code http}: this process also runs the example HTTP API over its manager,
 * a web node of its own, and each thread POSTs {@code /api/generate} to it, a 429 counting as
 * QUOTA). System properties: {@code quota.perHour}, {@code quota.perDay}, {@code
 * quota.minIntervalMillis} (the owner's limits), {@code race.jwtSecret} (for http), plus the
 * database ones.
 */
public final class QuotaRaceMain {
  private QuotaRaceMain() {}

  /** One create, as a protocol line. */
  private interface Racer extends AutoCloseable {
    String create(int n) throws Exception;

    @Override
    default void close() {}
  }

  private static String managerCreate(JobManager jobs, String owner, int n) {
    try {
      Job job = jobs.create(JobRequest.builder(owner, RecordingGenerator.TYPE)
          .payloadOf(new RecordingGenerator.Work(n, 1, 1)).build());
      return "OK " + job.id();
    } catch (QuotaExceededException e) {
      return "QUOTA " + e.limit() + " " + e.limitValue();
    }
  }

  /** This process's own web node: the example API over its manager, and a client of it. */
  private static final class HttpRacer implements Racer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ApiServer server;
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    HttpRacer(JobManager jobs, String owner) {
      JwtAuth auth = new JwtAuth(System.getProperty("race.jwtSecret"));
      this.server = ApiServer.builder(jobs, auth).host("127.0.0.1").port(0).start();
      this.token = auth.issue(owner, Duration.ofHours(1));
    }

    @Override
    public String create(int n) throws Exception {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/generate"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"type\":\"" + RecordingGenerator.TYPE + "\",\"payload\":{\"n\":" + n + ",\"steps\":1,\"stepMillis\":1}}"))
          .build();
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() == 202) {
        return "OK " + body.get("id").asText();
      }
      if (r.statusCode() == 429 && body.path("code").asText().equals("quota_exceeded")) {
        return "QUOTA " + body.get("limit").asText() + " " + body.get("limitValue").asLong()
            + (r.headers().firstValue("Retry-After").isPresent() ? "" : " (no Retry-After)");
      }
      return "ERROR " + r.statusCode() + " " + r.body();
    }

    @Override
    public void close() {
      server.close();
    }
  }

  /** Runs one race. */
  public static void main(String[] args) throws InterruptedException {
    String owner = args[0];
    int threads = Integer.parseInt(args[1]);
    boolean http = args.length > 2 && args[2].equals("http");
    QuotaLimits limits = new QuotaLimits(Integer.getInteger("quota.perHour"), Integer.getInteger("quota.perDay"),
        Duration.ofMillis(Long.getLong("quota.minIntervalMillis")));
    ChildDatabase db = ChildDatabase.fromSystemProperties();
    HikariDataSource pool = db.pool("race-" + owner, 20);
    PostgresJobStore store = db.store(pool);
    JobManager jobs = JobManager.builder().store(store).generator(new RecordingGenerator(null, null, "race"))
        .quotaPolicy(o -> limits).build();
    store.quotaWindow(owner); // connects before the race, not during it
    Racer racer = http ? new HttpRacer(jobs, owner) : n -> managerCreate(jobs, owner, n);

    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    Queue<String> outcomes = new ConcurrentLinkedQueue<>();
    List<Thread> racers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int n = i;
      Thread t = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          outcomes.add(racer.create(n));
        } catch (InterruptedException e) {
          outcomes.add("ERROR interrupted");
        } catch (Exception e) {
          outcomes.add("ERROR " + e.getClass().getName() + ": " + e.getMessage());
        }
      }, "racer-" + i);
      t.start();
      racers.add(t);
    }
    ready.await();
    CountDownLatch started = new CountDownLatch(1);
    StdinCommands.listen(line -> {
      if (line.equals("GO")) {
        started.countDown();
      }
    });
    StdinCommands.say("READY");
    started.await();
    go.countDown();
    for (Thread t : racers) {
      t.join();
    }
    outcomes.forEach(StdinCommands::say);
    StdinCommands.say("DONE");
    racer.close();
    jobs.close();
    store.close();
    pool.close();
    System.exit(0);
  }
}
