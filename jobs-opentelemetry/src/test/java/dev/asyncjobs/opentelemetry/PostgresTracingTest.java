package dev.asyncjobs.opentelemetry;

import static dev.asyncjobs.opentelemetry.Traces.named;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trace context crosses PostgreSQL: a creator and a worker as two processes would be, each with
 * a {@link PostgresJobStore} and a pool of its own on one schema and an OpenTelemetry SDK of its
 * own. The worker's attempt spans belong to the creator's trace, children of its create span; jobs
 * inserted with plain SQL (no context, or a malformed one) run in root spans.
 */
class PostgresTracingTest {
  @RegisterExtension static final PostgresSchema schema = new PostgresSchema();

  private final Traces creatorTraces = new Traces();
  private final Traces workerTraces = new Traces();
  private final JobTracing creatorTracing = JobTracing.create(creatorTraces.sdk());
  private final JobTracing workerTracing = JobTracing.create(workerTraces.sdk());
  private HikariDataSource workerPool;
  private PostgresJobStore creatorStore;
  private PostgresJobStore workerStore;
  private JobManager creator;
  private JobManager workerSide;
  private JobWorker worker;

  @BeforeEach
  void twoProcesses() {
    creatorStore = PostgresJobStore.builder().dataSource(schema.dataSource()).schema(schema.name()).build();
    creator = JobManager.builder().store(creatorStore).generator(new Probe(creatorTraces.sdk()))
        .interceptor(creatorTracing).build();
    workerPool = schema.server().pool("worker-" + schema.name(), 6, Duration.ofSeconds(30));
    workerStore = PostgresJobStore.builder().dataSource(workerPool).schema(schema.name()).build();
    workerSide = JobManager.builder().store(workerStore).generator(new Probe(workerTraces.sdk())).build();
    worker = JobWorker.builder(workerSide).workerId("worker-process")
        .interceptor(workerTracing).listener(workerTracing)
        .pollInterval(Duration.ofMillis(100))
        .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(50)))
        .build().start();
  }

  @AfterEach
  void nothingLeftOpen() {
    worker.close();
    workerSide.close();
    workerStore.close();
    workerPool.close();
    creator.close();
    creatorStore.close();
    schema.execute("TRUNCATE " + schema.table("jobs") + ", " + schema.table("jobs_events"));
    for (Traces t : List.of(creatorTraces, workerTraces)) {
      t.awaitNoSpanOpen();
      assertThat(t.started()).isEqualTo(t.ended());
      t.close();
    }
    assertThat(workerTracing.openAttemptSpans()).isZero();
  }

  private SpanData attempt(UUID job, int attempt) {
    return workerTraces.await("attempt " + attempt + " of " + job,
        s -> job.toString().equals(s.getAttributes().get(JobSpans.JOB_ID))
            && Long.valueOf(attempt).equals(s.getAttributes().get(JobSpans.JOB_ATTEMPT)));
  }

  private Job createInSpan(String mode, SpanContext[] caller) {
    Span request = creatorTraces.sdk().getTracer("the web tier").spanBuilder("POST /jobs").startSpan();
    try (Scope ignored = request.makeCurrent()) {
      caller[0] = request.getSpanContext();
      return creator.create(JobRequest.of("alice", Probe.TYPE, new Probe.Step(mode)));
    } finally {
      request.end();
    }
  }

  @Test
  void theWorkersAttemptIsAChildOfTheCreatorsCreateSpanInTheCreatorsTrace() {
    SpanContext[] caller = new SpanContext[1];
    Job job = createInSpan("child", caller);
    SpanData create = creatorTraces.await("the create span", named("create probe"));
    assertThat(workerStore.find(job.id()).orElseThrow().metadata()).containsKey("traceparent");

    SpanData process = attempt(job.id(), 1);
    assertThat(process.getTraceId()).isEqualTo(caller[0].getTraceId()).isEqualTo(create.getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(create.getSpanId());
    assertThat(process.getParentSpanContext().isRemote()).as("the parent came from the database").isTrue();
    assertThat(process.getAttributes().get(JobSpans.JOB_OUTCOME)).isEqualTo("completed");
    assertThat(process.getAttributes().get(JobSpans.WORKER_ID)).isEqualTo("worker-process");
    SpanData call = workerTraces.await("the generator's own span", named("generator call"));
    assertThat(call.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(creatorTraces.finished()).noneMatch(named("process probe"));
  }

  @Test
  void bothAttemptsOfARetriedJobAreChildrenOfTheCreateSpan() {
    SpanContext[] caller = new SpanContext[1];
    Job job = createInSpan("retry-once", caller);
    SpanData create = creatorTraces.await("the create span", named("create probe"));
    SpanData first = attempt(job.id(), 1);
    SpanData second = attempt(job.id(), 2);
    assertThat(first.getAttributes().get(JobSpans.JOB_OUTCOME)).isEqualTo("retry_scheduled");
    assertThat(second.getAttributes().get(JobSpans.JOB_OUTCOME)).isEqualTo("completed");
    assertThat(List.of(first, second)).allSatisfy(s -> {
      assertThat(s.getTraceId()).isEqualTo(caller[0].getTraceId());
      assertThat(s.getParentSpanId()).isEqualTo(create.getSpanId());
    });
  }

  @Test
  void jobsInsertedWithPlainSqlRunInRootSpans() {
    UUID bare = UUID.randomUUID();
    UUID malformed = UUID.randomUUID();
    String insert = "INSERT INTO " + schema.table("jobs")
        + " (id, owner_id, type, payload, created_at, updated_at, run_at, metadata) VALUES ('%s', 'alice', 'probe',"
        + " '{\"mode\": \"ok\"}', now(), now(), now(), '%s')";
    schema.execute(insert.formatted(bare, "{}"),
        insert.formatted(malformed, "{\"traceparent\": \"00-zzzz-not-hex-01\", \"tracestate\": \"=\"}"));
    for (UUID id : List.of(bare, malformed)) {
      SpanData process = attempt(id, 1);
      assertThat(process.getParentSpanContext().isValid()).as("a root span").isFalse();
      assertThat(process.getLinks()).isEmpty();
      assertThat(process.getAttributes().get(JobSpans.JOB_OUTCOME)).isEqualTo("completed");
    }
  }
}
