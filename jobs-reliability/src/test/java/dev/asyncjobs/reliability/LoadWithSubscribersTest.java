package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.support.Enqueuer;
import dev.asyncjobs.reliability.support.HttpApi;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.reliability.support.SlowSseSocket;
import dev.asyncjobs.reliability.support.WorkerFleet;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TestPostgres;
import dev.asyncjobs.testing.sse.SseClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load held with live subscribers: thousands of jobs with progress through two worker processes,
 * while the HTTP API in this JVM (on the same PostgreSQL schema) streams each owner's events over
 * SSE. No stream stalls: every subscriber sees the COMPLETED event of every job of its owner. And
 * a subscriber that reads far slower than its events come is neither buffered without end nor
 * cut off: once its bounded queue is full, its stream reads the rest from the event log at the
 * pace the client takes it, and the client gets every event, in order, each once.
 *
 * <p>{@code mvn verify} runs {@code reliability.load.jobs} (4,000) jobs; {@code -Pchaos} runs 20,000.
 */
class LoadWithSubscribersTest {
  private static final Logger LOG = LoggerFactory.getLogger(LoadWithSubscribersTest.class);
  private static final Path LOGS = Path.of("target", "reliability-logs", "load");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int OWNERS = 5;
  private static final int STREAM_QUEUE = 1000;
  private static final Pattern JOB_EVENT = Pattern.compile("(?m)^event: ?job$");

  /**
   * Progress events sent to the slow subscriber: about 1.2 KB each, 7.5 MB in all, well over what
   * it can hold back: the kernel's buffers on loopback (about 2–4 MB) and the server's queue.
   */
  private static final int SLOW_EVENTS = 6000;
  private static final String LONG_MESSAGE = "x".repeat(990);

  @Test
  void everySubscriberSeesEveryTerminalEventAndASlowOneGetsEveryEventAtItsOwnPace() throws Exception {
    int jobCount = Sizes.count("reliability.load.jobs", 4000);
    Duration deadline = Sizes.duration("reliability.load.deadline", Duration.ofMinutes(3));
    try (Schema schema = Schema.create(TestPostgres.server(), "load");
        HikariDataSource pool = Schema.pool(schema.server(), "load-web", 12);
        PostgresJobStore store = PostgresJobStore.builder().dataSource(pool).schema(schema.name()).build();
        JobManager jobs = JobManager.builder().store(store)
            .generator(new RecordingGenerator(null, null, "web"))
            .generator(new EchoGenerator()) // a type no worker process runs: the slow owner's jobs stay put
            .quotaPolicy(QuotaPolicy.unlimited()).build();
        HttpApi api = new HttpApi(jobs, b -> b.streamQueueCapacity(STREAM_QUEUE).heartbeat(Duration.ofSeconds(1)));
        WorkerFleet fleet = new WorkerFleet(schema, "load", List.of("-Dworker.concurrency=8", "-Dworker.pollMillis=500"), LOGS)) {
      fleet.startAndAwait(2);
      Map<String, List<SseClient>> streams = new LinkedHashMap<>();
      try {
        int fastStreams = openStreams(api, streams);
        long start = System.nanoTime();
        try (Enqueuer enqueuer = Enqueuer.start(jobs, jobCount, Duration.ofSeconds(5),
            i -> JobRequest.builder("owner-" + (i % OWNERS), RecordingGenerator.TYPE)
                .payloadOf(new RecordingGenerator.Work(i, 4, 5)).build())) {
          enqueuer.await(deadline);
        }
        assertEveryStreamSawEveryCompletion(schema, streams, jobCount, start + deadline.toNanos());
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        long ownerZeroEvents = streams.get("owner-0").get(0).events().stream().filter(e -> e.event().equals("job")).count();

        int slowGot = slowSubscriberGetsEveryEventAtItsOwnPace(api, jobs, store, fastStreams);

        String report = String.format("load: %d jobs through 2 worker processes in %.1f s (%.0f jobs/s), %d SSE streams that saw"
                + " every event (%d to owner-0's); a slow subscriber sent %d events of %.1f KB got %d, in order, caught up from the log"
                + " %d time(s) (queue %d)",
            jobCount, elapsedMillis / 1000.0, jobCount * 1000.0 / elapsedMillis, fastStreams, ownerZeroEvents, SLOW_EVENTS,
            (LONG_MESSAGE.length() + 250) / 1000.0, slowGot, api.server().eventStreamCatchUps(), STREAM_QUEUE);
        LOG.info(report);
        System.out.println(report);
      } finally {
        streams.values().forEach(list -> list.forEach(SseClient::close));
      }
    }
  }

  /** One stream per owner, two for owner-1; waits until all are subscribed. @return how many */
  private static int openStreams(HttpApi api, Map<String, List<SseClient>> streams) {
    for (int o = 0; o < OWNERS; o++) {
      String owner = "owner-" + o;
      List<SseClient> mine = new ArrayList<>();
      for (int k = 0; k < (o == 1 ? 2 : 1); k++) {
        mine.add(api.events(api.token(owner)));
      }
      streams.put(owner, mine);
    }
    streams.values().forEach(list -> list.forEach(s -> s.awaitReceived(e -> e.event().equals("ready"), Duration.ofSeconds(30), "ready")));
    int n = streams.values().stream().mapToInt(List::size).sum();
    Waits.until("every stream subscribed", Duration.ofSeconds(30), () -> api.server().openEventStreams() == n,
        () -> api.server().openEventStreams() + " open");
    return n;
  }

  /** No stream stalls: each sees its owner's every COMPLETED event before the deadline, and only its owner's. */
  private static void assertEveryStreamSawEveryCompletion(Schema schema, Map<String, List<SseClient>> streams, int jobCount, long endNanos) {
    Map<String, Set<String>> jobsByOwner = new LinkedHashMap<>();
    for (List<String> row : schema.rows("SELECT owner_id, id FROM " + schema.table("jobs"))) {
      jobsByOwner.computeIfAbsent(row.get(0), o -> new HashSet<>()).add(row.get(1));
    }
    assertThat(jobsByOwner.values().stream().mapToInt(Set::size).sum()).isEqualTo(jobCount);
    for (Map.Entry<String, List<SseClient>> e : streams.entrySet()) {
      Set<String> expected = jobsByOwner.get(e.getKey());
      for (SseClient stream : e.getValue()) {
        Waits.until(e.getKey() + "'s stream has every COMPLETED event", Duration.ofNanos(Math.max(1, endNanos - System.nanoTime())),
            () -> completedIn(stream).containsAll(expected),
            () -> completedIn(stream).size() + " of " + expected.size() + " COMPLETED; ended " + stream.ended().isDone() + "; last " + last(stream));
        assertThat(stream.events()).as("events of %s's stream", e.getKey())
            .noneMatch(ev -> ev.event().equals("dropped"))
            .filteredOn(ev -> ev.event().equals("job")).allMatch(ev -> expected.contains(jobId(ev)));
      }
    }
    assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'COMPLETED'")).isEqualTo(jobCount);
  }

  /**
   * A subscriber that reads 8 KB a second is sent {@value #SLOW_EVENTS} progress events of about
   * 1.2 KB (an owner of its own, whose four running jobs report progress from four threads), far
   * more than its stream's queue holds; then it reads at full speed. It must get every one of them,
   * in the log's order, each once, and its stream must have caught up from the log (not held them
   * in memory).
   *
   * @return how many job events it got
   */
  private static int slowSubscriberGetsEveryEventAtItsOwnPace(HttpApi api, JobManager jobs, PostgresJobStore store, int fastStreams)
      throws Exception {
    String owner = "owner-slow";
    List<Job> running = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jobs.create(JobRequest.builder(owner, "echo").payload("{\"text\":\"slow\",\"repeat\":1}").build());
    }
    running.addAll(store.claim(new ClaimRequest("load-test", Set.of("echo"), 4, Duration.ofHours(1))));
    assertThat(running).hasSize(4);
    long catchUpsBefore = api.server().eventStreamCatchUps();
    AtomicInteger delivered = new AtomicInteger();
    try (SlowSseSocket slow = SlowSseSocket.open(api.server().port(), api.token(owner), 8 * 1024);
        Subscription counter = jobs.subscribe(owner, e -> {
          if (e.kind() == dev.asyncjobs.JobEvent.Kind.PROGRESS) {
            delivered.incrementAndGet();
          }
        })) {
      Waits.until("the slow stream subscribed", Duration.ofSeconds(30), () -> api.server().openEventStreams() == fastStreams + 1,
          () -> api.server().openEventStreams() + " open");
      long start = counter.startedAfter();
      List<Thread> reporters = new ArrayList<>();
      for (Job job : running) {
        Thread t = new Thread(() -> {
          for (int k = 0; k < SLOW_EVENTS / running.size(); k++) {
            jobs.updateProgress(owner, job.id(), 10, k + " " + LONG_MESSAGE);
          }
        }, "progress-" + job.id());
        t.start();
        reporters.add(t);
      }
      for (Thread t : reporters) {
        t.join();
      }
      Waits.until("every progress event delivered to the owner's subscribers", Duration.ofSeconds(60),
          () -> delivered.get() >= SLOW_EVENTS, () -> delivered.get() + " delivered");

      String body = slow.drainUntil(text -> count(JOB_EVENT.matcher(text)) >= SLOW_EVENTS, Duration.ofSeconds(120));
      List<Long> ids = jobEventIds(body);
      List<Long> logged = new ArrayList<>();
      long position = start;
      while (logged.size() < SLOW_EVENTS) {
        List<dev.asyncjobs.JobEvent> page = jobs.readEvents(owner, position, 1000);
        assertThat(page).as("the log's events of %s after %d", owner, position).isNotEmpty();
        page.forEach(e -> logged.add(e.sequence()));
        position = page.get(page.size() - 1).sequence();
      }
      assertThat(body).as("the slow stream is not cut off").doesNotContain("event: dropped");
      assertThat(ids).as("the slow subscriber's events: the log's, in order, each once").isEqualTo(logged);
      assertThat(api.server().eventStreamCatchUps()).as("the stream fell behind its queue and read the log instead")
          .isGreaterThan(catchUpsBefore);
      slow.close();
      Waits.until("the slow stream's session is released", Duration.ofSeconds(30),
          () -> api.server().openEventStreams() == fastStreams, () -> api.server().openEventStreams() + " open");
      return ids.size();
    }
  }

  /** The ids of the {@code job} events of an SSE body, in order (each event is a block of lines). */
  private static List<Long> jobEventIds(String body) {
    List<Long> ids = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String id = null;
      boolean job = false;
      for (String line : block.split("\n")) {
        if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.matches("event: ?job")) {
          job = true;
        }
      }
      if (job && id != null) {
        ids.add(Long.parseLong(id));
      }
    }
    return ids;
  }

  private static Set<String> completedIn(SseClient stream) {
    Set<String> out = new HashSet<>();
    for (SseClient.Event e : stream.events()) {
      if (e.event().equals("job") && e.data().contains("\"COMPLETED\"")) {
        JsonNode n = json(e.data());
        if (n.path("kind").asText().equals("COMPLETED")) {
          out.add(n.path("jobId").asText());
        }
      }
    }
    return out;
  }

  private static String jobId(SseClient.Event e) {
    return json(e.data()).path("jobId").asText();
  }

  private static JsonNode json(String data) {
    try {
      return JSON.readTree(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String last(SseClient stream) {
    List<SseClient.Event> events = stream.events();
    return events.isEmpty() ? "none" : events.get(events.size() - 1).toString();
  }

  private static int count(Matcher m) {
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
