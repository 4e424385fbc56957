package dev.asyncjobs.bench.internal;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobType;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Streamed output on PostgreSQL: 50 jobs streaming at once, 50 text deltas a second each, read by a
 * subscriber of their owner's events (what the SSE route reads). Measures the latency from a
 * generator's {@code appendText} to the subscriber, the store writes per streaming job per second
 * (bounded by the output interval), and the throughput of no-op jobs on the same store while the
 * streams run, against the same no-op run without them.
 */
final class PgStreamingScenario implements Scenario {
  private static final int STREAMS = 50;
  private static final int DELTAS_PER_SECOND = 50;
  private static final String STREAM_OWNER = "stream-owner";

  @Override
  public String name() {
    return "pg-streaming";
  }

  @Override
  public boolean needsPostgres() {
    return true;
  }

  @Override
  public void run(ScenarioRun run) throws Exception {
    long streamNanos = Duration.ofMillis(run.size(15_000, 4_000)).toNanos();
    int noops = run.size(12_000, 1_500);
    try (BenchSchema schema = run.pg().newSchema(name(), 24); PostgresJobStore store = schema.store()) {
      StreamingGenerator streaming = new StreamingGenerator();
      try (JobManager jobs = JobManager.builder().store(store).generator(new NoopGenerator()).generator(streaming)
              .quotaPolicy(QuotaPolicy.unlimited()).build();
          JobWorker noopWorker = JobWorker.builder(jobs).types(Set.of(NoopGenerator.TYPE)).concurrency(16).claimBatchSize(16)
              .build().start();
          JobWorker streamWorker = JobWorker.builder(jobs).types(Set.of(StreamingGenerator.TYPE.name()))
              .concurrency(STREAMS).claimBatchSize(STREAMS).build().start()) {
        // The streams' owner is watched from the start, as an SSE client of the application would
        // be: the baseline run differs from the loaded one only by the streams themselves.
        ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>(); // {emitted at, latency}
        Map<String, Integer> writesPerJob = new ConcurrentHashMap<>();
        Subscription reader = jobs.subscribe(STREAM_OWNER, event -> {
          if (event.kind() == JobEvent.Kind.TEXT_DELTA && event.data() != null) {
            long now = System.nanoTime();
            writesPerJob.merge(event.jobId().toString(), 1, Integer::sum);
            for (String stamp : event.data().trim().split(" ")) {
              long emitted = Long.parseLong(stamp);
              latencies.add(new long[] {emitted, now - emitted});
            }
          }
        });
        try {
          run.progress("warm-up");
          noopRate(jobs, schema, 0, run.size(3_000, 1_000));
          // Baseline and loaded bursts twice each, interleaved (baseline, loaded, loaded, baseline),
          // the best of each kept, as the other throughput scenarios do: other processes on a shared
          // machine only ever slow a burst down.
          double alone = noopRate(jobs, schema, 100_000, noops);

          run.progress("streaming");
          streaming.expect(STREAMS, streamNanos);
          List<JobRequest> requests = new ArrayList<>();
          for (int i = 0; i < STREAMS; i++) {
            requests.add(JobRequest.of(STREAM_OWNER, StreamingGenerator.TYPE, new Stream(i)));
          }
          jobs.createAll(requests);
          Timing.await(streaming.allStarted(), Duration.ofMinutes(1), "streaming jobs to start");
          // The first part of the run: the streams alone. Then a burst of no-op jobs as fast as
          // the store takes them, beside the streams: the other jobs' throughput, and what the
          // streams' latency becomes when the machine is saturated.
          long aloneFrom = System.nanoTime();
          Thread.sleep(streamNanos / 3 / 1_000_000);
          long burstFrom = System.nanoTime();
          double loaded = noopRate(jobs, schema, 200_000, noops);
          if (streaming.allFinished().getCount() == STREAMS) {
            loaded = Math.max(loaded, noopRate(jobs, schema, 300_000, noops));
          }
          long burstTo = System.nanoTime();
          boolean bothBeside = streaming.allFinished().getCount() == STREAMS;
          Timing.await(streaming.allFinished(), Duration.ofNanos(streamNanos).plusMinutes(1), "streaming jobs to finish");
          Thread.sleep(500); // the last deltas' delivery
          alone = Math.max(alone, noopRate(jobs, schema, 400_000, noops));
          if (!bothBeside) {
            run.note(name() + ": the streams ended before the second loaded burst did; the loaded figure may be flattered.");
          }
          Percentiles quiet = window(latencies, aloneFrom, burstFrom);
          Percentiles burst = window(latencies, burstFrom, burstTo);
          double seconds = streamNanos / 1e9;
          double writes = writesPerJob.values().stream().mapToInt(Integer::intValue).sum() / (double) STREAMS / seconds;
          run.record(Measurement.of("delta latency, appendText → owner's subscriber, p50 (50 jobs × 50 deltas/s)", "ms",
              quiet.at(50) / 1e6, Target.below(150)));
          run.record(Measurement.of("delta latency, appendText → owner's subscriber, p99 (50 jobs × 50 deltas/s)", "ms",
              quiet.at(99) / 1e6, Target.below(500)));
          run.record(Measurement.of("delta latency p50 during the no-op burst (store saturated)", "ms", burst.at(50) / 1e6));
          run.record(Measurement.of("delta latency p99 during the no-op burst (store saturated)", "ms", burst.at(99) / 1e6));
          run.record(Measurement.of("output events per streaming job per second (output interval 100 ms; all jobs share one store write per round)", "writes/s", writes,
              Target.below(10.5)));
          run.record(Measurement.versus("no-op jobs/s while 50 jobs stream vs without streaming", "jobs/s", loaded, alone,
              "the same run without streaming", Target.ratioAtLeast(0.8)));
          run.note(String.format(Locale.ROOT,
              "%s: %d jobs each appending a %d-character delta every %d ms for %.1f s (%d deltas measured); a worker of"
                  + " concurrency %d runs them; the latency targets hold for the first third of the run, the streams"
                  + " alone; then another worker (16) runs two bursts of %,d no-op jobs as fast as it can beside them (the throughput"
                  + " ratio, and the latency while the machine is saturated; the baseline is the same burst before the"
                  + " streams, with the same subscription open); latency is read by a JobManager subscription of the"
                  + " streams' owner in the same JVM (the SSE route adds its HTTP write).",
              name(), STREAMS, 20, 1000 / DELTAS_PER_SECOND, seconds, latencies.size(), STREAMS, noops));
        } finally {
          reader.close();
        }
      }
    }
  }

  /** The latencies of the deltas emitted between {@code from} and {@code to}. */
  private static Percentiles window(ConcurrentLinkedQueue<long[]> latencies, long from, long to) {
    return new Percentiles(latencies.stream().filter(l -> l[0] - from >= 0 && l[0] - to < 0).mapToLong(l -> l[1]).toArray());
  }

  /** Runs {@code count} no-op jobs numbered from {@code first} and returns how many finished per second. */
  private static double noopRate(JobManager jobs, BenchSchema schema, int first, int count) throws Exception {
    long start = System.nanoTime();
    Batches.createAll(jobs, first, count, 500);
    String left = "SELECT CASE WHEN EXISTS (SELECT 1 FROM " + schema.table("jobs") + " WHERE status = 'PENDING' AND type = '"
        + NoopGenerator.TYPE + "') OR EXISTS (SELECT 1 FROM " + schema.table("jobs") + " WHERE status = 'PROCESSING' AND type = '"
        + NoopGenerator.TYPE + "') THEN 1 ELSE 0 END";
    CompletionCounter.awaitNone(Duration.ofMinutes(5), schema, left);
    return Timing.perSecond(count, System.nanoTime() - start);
  }

  /**
   * One streaming job.
   *
   * @param n its number
   */
  record Stream(int n) {}

  /** Appends its {@link System#nanoTime()} as text {@value #DELTAS_PER_SECOND} times a second for the run. */
  static final class StreamingGenerator extends AbstractGenerator<Stream> {
    static final JobType<Stream> TYPE = JobType.of("streaming", Stream.class);

    private volatile long runNanos;
    private volatile CountDownLatch started = new CountDownLatch(0);
    private volatile CountDownLatch finished = new CountDownLatch(0);

    StreamingGenerator() {
      super(TYPE);
    }

    void expect(int jobs, long nanos) {
      runNanos = nanos;
      started = new CountDownLatch(jobs);
      finished = new CountDownLatch(jobs);
    }

    CountDownLatch allStarted() {
      return started;
    }

    CountDownLatch allFinished() {
      return finished;
    }

    @Override
    public Object generate(Stream stream, JobContext context) {
      started.countDown();
      try {
        long period = 1_000_000_000L / DELTAS_PER_SECOND;
        long begin = System.nanoTime();
        for (long next = begin; next - begin < runNanos; next += period) {
          LockSupport.parkNanos(next - System.nanoTime());
          // the stamp is padded to 20 characters: a delta the size of a few tokens
          context.appendText(String.format(Locale.ROOT, "%019d ", System.nanoTime()));
        }
        return Map.of("n", stream.n());
      } finally {
        finished.countDown();
      }
    }
  }
}
