package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.reliability.child.RecordingGenerator;
import dev.asyncjobs.reliability.support.Await;
import dev.asyncjobs.reliability.support.Enqueuer;
import dev.asyncjobs.reliability.support.HttpApi;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.reliability.support.SlowSseSocket;
import dev.asyncjobs.reliability.support.SseClient;
import dev.asyncjobs.reliability.support.TestServer;
import dev.asyncjobs.reliability.support.WorkerFleet;
import dev.asyncjobs.store.postgres.PostgresJobStore;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load held with live subscribers: thousands of jobs with progress through two worker processes,
 * while the HTTP API in this JVM (on the same PostgreSQL schema) streams each owner's events over
 * SSE. No stream stalls: every subscriber sees the COMPLETED event of every job of its owner. And
 * memory stays bounded: a subscriber that reads nothing is not buffered without end; its stream is
 * cut with an explicit {@code dropped} event once its bounded queue is full, while the others go
 * on.
 *
 * <p>{@code mvn verify} runs {@code reliability.load.jobs} (4,000) jobs; {@code -Pchaos} runs 20,000.
 */
class LoadWithSubscribersTest {
  private static final Logger LOG = LoggerFactory.getLogger(LoadWithSubscribersTest.class);
  private static final Path LOGS = Path.of("target", "reliability-logs", "load");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int OWNERS = 5;
  private static final int STREAM_QUEUE = 1000;
  /** Progress messages of about 900 characters: events of about 1 KB, as a chatty generator makes. */
  private static final int MESSAGE_PAD = 880;
  private static final Pattern JOB_EVENT = Pattern.compile("(?m)^event: ?job$");

  @Test
  void everySubscriberSeesEveryTerminalEventAndASlowOneIsDroppedWithAMessage() throws Exception {
    int jobCount = Sizes.count("reliability.load.jobs", 4000);
    Duration deadline = Sizes.duration("reliability.load.deadline", Duration.ofMinutes(3));
    try (Schema schema = Schema.create(TestServer.get(), "load");
        HikariDataSource pool = Schema.pool(schema.server(), "load-web", 12);
        PostgresJobStore store = PostgresJobStore.builder().dataSource(pool).schema(schema.name()).build();
        JobManager jobs = JobManager.builder().store(store).generator(new RecordingGenerator(null, null, "web"))
            .quotaPolicy(QuotaPolicy.unlimited()).build();
        HttpApi api = new HttpApi(jobs, b -> b.streamQueueCapacity(STREAM_QUEUE).heartbeat(Duration.ofSeconds(1)));
        WorkerFleet fleet = new WorkerFleet(schema, "load", List.of("-Dworker.concurrency=8", "-Dworker.pollMillis=500"), LOGS)) {
      fleet.startAndAwait(2);

      // one stream per owner, two for owner-1, and a slow one for owner-0
      Map<String, List<SseClient>> streams = new LinkedHashMap<>();
      for (int o = 0; o < OWNERS; o++) {
        String owner = "owner-" + o;
        List<SseClient> mine = new ArrayList<>();
        for (int k = 0; k < (o == 1 ? 2 : 1); k++) {
          mine.add(SseClient.open(api, api.token(owner), owner + "-" + k));
        }
        streams.put(owner, mine);
      }
      try (SlowSseSocket slow = SlowSseSocket.open(api.server().port(), api.token("owner-0"))) {
        int fastStreams = streams.values().stream().mapToInt(List::size).sum();
        streams.values().forEach(list -> list.forEach(s -> s.await(e -> e.name().equals("ready"), Duration.ofSeconds(30), "ready")));
        Await.until("every stream subscribed", Duration.ofSeconds(30), () -> api.server().openEventStreams() == fastStreams + 1,
            () -> api.server().openEventStreams() + " open");

        long start = System.nanoTime();
        try (Enqueuer enqueuer = Enqueuer.start(jobs, jobCount, Duration.ofSeconds(5),
            i -> JobRequest.builder(ownerOf(i), RecordingGenerator.TYPE)
                .payloadOf(new RecordingGenerator.Work(i, 4, 5, MESSAGE_PAD)).build())) {
          enqueuer.await(deadline);
        }
        Map<String, Set<String>> jobsByOwner = new LinkedHashMap<>();
        for (List<String> row : schema.rows("SELECT owner_id, id FROM " + schema.table("jobs"))) {
          jobsByOwner.computeIfAbsent(row.get(0), o -> new HashSet<>()).add(row.get(1));
        }
        assertThat(jobsByOwner.values().stream().mapToInt(Set::size).sum()).isEqualTo(jobCount);

        // no stream stalls: each sees its owner's every COMPLETED event before the deadline
        long end = start + deadline.toNanos();
        for (Map.Entry<String, List<SseClient>> e : streams.entrySet()) {
          for (SseClient stream : e.getValue()) {
            Set<String> expected = jobsByOwner.get(e.getKey());
            Await.until(e.getKey() + "'s stream has every COMPLETED event", Duration.ofNanos(Math.max(1, end - System.nanoTime())),
                () -> completedIn(stream).containsAll(expected),
                () -> completedIn(stream).size() + " of " + expected.size() + " COMPLETED; ended " + stream.ended()
                    + "; last " + last(stream));
            assertThat(stream.events()).as("events of %s's stream", e.getKey())
                .noneMatch(ev -> ev.name().equals("dropped"))
                .filteredOn(ev -> ev.name().equals("job")).allMatch(ev -> expected.contains(jobId(ev)));
          }
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE status = 'COMPLETED'")).isEqualTo(jobCount);

        // the slow subscriber was cut off with a message, not buffered without end
        String slowBody = slow.drain(Duration.ofSeconds(30));
        int slowJobEvents = count(JOB_EVENT.matcher(slowBody));
        long ownerZeroEvents = streams.get("owner-0").get(0).events().stream().filter(ev -> ev.name().equals("job")).count();
        assertThat(slowBody).as("the slow stream's end").contains("event: dropped").contains("fell").contains("reconnect");
        assertThat(slowBody.strip()).as("the last event is the drop").matches("(?s).*event: ?dropped\\s*\\n.*data: ?\\{[^\\n]*\\}$");
        assertThat(slowJobEvents).as("job events the slow subscriber got, of %d", ownerZeroEvents).isLessThan((int) ownerZeroEvents);
        Await.until("the slow stream's session is released", Duration.ofSeconds(30),
            () -> api.server().openEventStreams() == fastStreams, () -> api.server().openEventStreams() + " open");

        String report = String.format("load: %d jobs through 2 worker processes in %.1f s (%.0f jobs/s), %d SSE streams,"
                + " %d events to owner-0's stream; the slow subscriber got %d before it was dropped (queue %d)",
            jobCount, elapsedMillis / 1000.0, jobCount * 1000.0 / elapsedMillis, fastStreams, ownerZeroEvents, slowJobEvents, STREAM_QUEUE);
        LOG.info(report);
        System.out.println(report);
      } finally {
        streams.values().forEach(list -> list.forEach(SseClient::close));
      }
    }
  }

  /**
   * Owner-0, whose slow subscriber must overflow, gets 40% of the jobs: the kernel alone absorbs
   * about 2 MB of a stream nobody reads (the sender's socket buffer on loopback) before the
   * server's bounded queue even starts to fill.
   */
  private static String ownerOf(int i) {
    return i % 10 < 4 ? "owner-0" : "owner-" + (1 + i % (OWNERS - 1));
  }

  private static Set<String> completedIn(SseClient stream) {
    Set<String> out = new HashSet<>();
    for (SseClient.Event e : stream.events()) {
      if (e.name().equals("job") && e.data().contains("\"COMPLETED\"")) {
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
