package dev.asyncjobs.opentelemetry;

import static dev.asyncjobs.opentelemetry.Traces.named;
import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.RetryPolicy;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.testing.Waits;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tracing with the in-memory store and a real {@link JobWorker}: jobs are created on the test's
 * thread inside a span and run on the worker's threads, and each test reads the finished spans from
 * an in-memory exporter. After every test, every span that was started has ended exactly once, and
 * the tracing holds no attempt span.
 */
class JobTracingTest {
  private final Traces traces = new Traces();
  private final Tracer app = traces.sdk().getTracer("the application");
  private final Probe probe = new Probe(traces.sdk());
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private JobTracing tracing = JobTracing.create(traces.sdk());
  private @Nullable JobStore store;

  @AfterEach
  void everySpanEndedOnceAndNoneIsHeld() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    traces.awaitNoSpanOpen();
    assertThat(traces.started()).as("spans started and ended").isEqualTo(traces.ended());
    assertThat(tracing.openAttemptSpans()).as("attempt spans the tracing still holds").isZero();
    traces.close();
  }

  // ---- set-up ----

  private JobStore store(Clock clock) {
    return store(new InMemoryJobStore(clock));
  }

  private <S extends JobStore> S store(S s) {
    store = s;
    toClose.add(s);
    return s;
  }

  private JobManager manager(boolean traced) {
    JobManager.Builder b = JobManager.builder().store(storeOrDefault()).generator(probe);
    if (traced) {
      b.interceptor(tracing);
    }
    JobManager m = b.build();
    toClose.add(m);
    return m;
  }

  private JobStore storeOrDefault() {
    return store != null ? store : store(Clock.systemUTC());
  }

  private JobWorker worker(JobManager jobs, UnaryOperator<JobWorker.Builder> settings) {
    JobWorker w = settings.apply(JobWorker.builder(jobs).workerId("w1")
            .interceptor(tracing).listener(tracing)
            .pollInterval(Duration.ofMillis(50))
            .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(50)).withoutJitter()))
        .build();
    toClose.add(w);
    return w.start();
  }

  private static JobRequest probe(String mode) {
    return JobRequest.of("alice", Probe.TYPE, new Probe.Step(mode));
  }

  /** Creates the job inside a span "handle request" of the application, on this thread. */
  private Created createInSpan(JobManager jobs, JobRequest request) {
    Span request1 = app.spanBuilder("handle request").startSpan();
    try (Scope ignored = request1.makeCurrent()) {
      return new Created(jobs.create(request), request1.getSpanContext());
    } finally {
      request1.end();
    }
  }

  private record Created(Job job, SpanContext caller) {}

  private SpanData attempt(Job job, int attempt) {
    return traces.await("attempt " + attempt + " of " + job.id(),
        s -> s.getName().equals("process probe") && job.id().toString().equals(s.getAttributes().get(JobSpans.JOB_ID))
            && Long.valueOf(attempt).equals(s.getAttributes().get(JobSpans.JOB_ATTEMPT)));
  }

  private static @Nullable String outcome(SpanData span) {
    return span.getAttributes().get(JobSpans.JOB_OUTCOME);
  }

  private static List<String> eventNames(SpanData span) {
    return span.getEvents().stream().map(EventData::getName).toList();
  }

  private static EventData event(SpanData span, String name) {
    return span.getEvents().stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no event " + name + " on " + span.getName() + ": " + eventNames(span)));
  }

  private Job awaitStatus(JobManager jobs, Job job, JobStatus status) {
    return Waits.untilValue("job " + job.id() + " " + status, Traces.WAIT, () -> jobs.get("alice", job.id()),
        j -> j.status() == status);
  }

  // ---- the trace of a job ----

  @Test
  void anAttemptOnAWorkerThreadIsAChildOfTheCreateSpanWhichIsAChildOfTheCaller() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Created created = createInSpan(jobs, probe("child"));
    SpanData process = attempt(created.job(), 1);

    SpanData create = traces.await("the create span", named("create probe"));
    assertThat(create.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(create.getParentSpanContext()).isEqualTo(created.caller());
    assertThat(create.getAttributes().get(JobSpans.JOB_TYPE)).isEqualTo("probe");
    assertThat(create.getAttributes().get(JobSpans.MESSAGING_OPERATION_TYPE)).isEqualTo("create");
    assertThat(created.job().metadata().get("traceparent"))
        .isEqualTo("00-" + create.getTraceId() + "-" + create.getSpanId() + "-" + create.getSpanContext().getTraceFlags().asHex());
    assertThat(create.getSpanContext().isSampled()).isTrue();

    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isEqualTo(created.caller().getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(create.getSpanId());
    assertThat(process.getLinks()).singleElement()
        .satisfies(l -> assertThat(l.getSpanContext().getSpanId()).isEqualTo(create.getSpanId()));
    assertThat(process.getAttributes().asMap()).containsEntry(JobSpans.JOB_ID, created.job().id().toString())
        .containsEntry(JobSpans.JOB_TYPE, "probe")
        .containsEntry(JobSpans.JOB_ATTEMPT, 1L)
        .containsEntry(JobSpans.JOB_MAX_ATTEMPTS, 3L)
        .containsEntry(JobSpans.WORKER_ID, "w1")
        .containsEntry(JobSpans.JOB_OUTCOME, "completed")
        .containsEntry(JobSpans.MESSAGING_SYSTEM, "asyncjobs")
        .containsEntry(JobSpans.MESSAGING_OPERATION_TYPE, "process")
        .containsEntry(JobSpans.MESSAGING_DESTINATION_NAME, "probe")
        .containsEntry(JobSpans.MESSAGING_MESSAGE_ID, created.job().id().toString())
        .doesNotContainKey(JobSpans.JOB_OWNER);
    assertThat(process.getStatus()).isEqualTo(StatusData.unset());

    // The generator ran on a worker thread with the attempt's span current: its own span is a child.
    Probe.Seen seen = probe.seen().get(0);
    assertThat(seen.thread()).isNotEqualTo(Thread.currentThread());
    assertThat(seen.span().getSpanId()).isEqualTo(process.getSpanId());
    SpanData call = traces.await("the generator's own span", named("generator call"));
    assertThat(call.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(call.getTraceId()).isEqualTo(created.caller().getTraceId());
  }

  @Test
  void withoutCreateSpansTheAttemptIsAChildOfTheCallersSpan() {
    tracing = JobTracing.builder(traces.sdk()).createSpans(false).build();
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Created created = createInSpan(jobs, probe("ok"));
    SpanData process = attempt(created.job(), 1);
    assertThat(process.getTraceId()).isEqualTo(created.caller().getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(created.caller().getSpanId());
    assertThat(traces.finished()).noneMatch(named("create probe"));
  }

  @Test
  void aJobCreatedOutsideAnySpanGetsATraceOfItsOwnFromItsCreateSpan() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Job job = jobs.create(probe("ok"));
    SpanData create = traces.await("the create span", named("create probe"));
    assertThat(create.getParentSpanContext().isValid()).as("the create span is a root").isFalse();
    assertThat(attempt(job, 1).getParentSpanId()).isEqualTo(create.getSpanId());
  }

  @Test
  void eachJobOfABatchCreateHasACreateSpanOfItsOwn() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Span request = app.spanBuilder("handle request").startSpan();
    List<Job> created;
    try (Scope ignored = request.makeCurrent()) {
      created = jobs.createAll(List.of(probe("ok"), probe("ok")));
    } finally {
      request.end();
    }
    List<SpanData> creates = traces.awaitAll("two create spans", 2, named("create probe"));
    SpanData first = attempt(created.get(0), 1);
    SpanData second = attempt(created.get(1), 1);
    assertThat(List.of(first.getParentSpanId(), second.getParentSpanId()))
        .containsExactlyInAnyOrderElementsOf(creates.stream().map(SpanData::getSpanId).toList())
        .doesNotHaveDuplicates();
    assertThat(creates).allSatisfy(c -> assertThat(c.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId()));
  }

  @Test
  void baggageOfTheCreatorIsCurrentInTheGenerator() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Job job;
    try (Scope ignored = Baggage.builder().put("tenant", "acme").build().makeCurrent()) {
      job = jobs.create(probe("ok"));
    }
    assertThat(job.metadata()).containsEntry("baggage", "tenant=acme");
    attempt(job, 1);
    assertThat(probe.seen()).singleElement().extracting(Probe.Seen::tenant).isEqualTo("acme");
  }

  @Test
  void theOwnerIsRecordedOnlyWhenAskedFor() {
    tracing = JobTracing.builder(traces.sdk()).recordOwner(true).build();
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Created created = createInSpan(jobs, probe("ok"));
    assertThat(attempt(created.job(), 1).getAttributes().get(JobSpans.JOB_OWNER)).isEqualTo("alice");
    assertThat(traces.await("the create span", named("create probe")).getAttributes().get(JobSpans.JOB_OWNER))
        .isEqualTo("alice");
  }

  @Test
  void aManualWorkerTracesItsAttemptsOnTheCallingThread() {
    JobManager jobs = manager(true);
    ManualWorker manual = JobWorker.builder(jobs).interceptor(tracing).listener(tracing).buildManual();
    Created created = createInSpan(jobs, probe("ok"));
    manual.runNext().orElseThrow();
    SpanData process = attempt(created.job(), 1);
    assertThat(process.getTraceId()).isEqualTo(created.caller().getTraceId());
    assertThat(outcome(process)).isEqualTo("completed");
    assertThat(probe.seen().get(0).thread()).isEqualTo(Thread.currentThread());
  }

  // ---- retries and failures ----

  @Test
  void aRetryIsASecondAttemptSpanUnderTheSameCreateSpanAfterARetryScheduledEvent() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Created created = createInSpan(jobs, probe("retry-once"));
    SpanData first = attempt(created.job(), 1);
    SpanData second = attempt(created.job(), 2);
    SpanData create = traces.await("the create span", named("create probe"));

    assertThat(List.of(first, second)).allSatisfy(s -> {
      assertThat(s.getTraceId()).isEqualTo(created.caller().getTraceId());
      assertThat(s.getParentSpanId()).isEqualTo(create.getSpanId());
      assertThat(s.getLinks()).singleElement()
          .satisfies(l -> assertThat(l.getSpanContext().getSpanId()).isEqualTo(create.getSpanId()));
    });
    assertThat(first.getSpanId()).isNotEqualTo(second.getSpanId());

    assertThat(outcome(first)).isEqualTo("retry_scheduled");
    assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(first.getStatus().getDescription()).isEqualTo("the model is busy");
    EventData retry = event(first, JobSpans.RETRY_SCHEDULED_EVENT);
    assertThat(retry.getAttributes().get(JobSpans.RETRY_DELAY_MS)).isEqualTo(20L); // base of the policy, no jitter
    assertThat(retry.getAttributes().get(JobSpans.RETRY_NEXT_ATTEMPT)).isEqualTo(2L);
    assertThat(event(first, "exception").getAttributes().get(AttributeKey.stringKey("exception.type")))
        .isEqualTo("dev.asyncjobs.RetryableGenerationException");

    assertThat(outcome(second)).isEqualTo("completed");
    assertThat(second.getStatus()).isEqualTo(StatusData.unset());
  }

  @Test
  void aFailedJobsAttemptHasStatusErrorWithTheException() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Created created = createInSpan(jobs, probe("fail"));
    SpanData process = attempt(created.job(), 1);
    assertThat(outcome(process)).isEqualTo("failed");
    assertThat(process.getStatus()).isEqualTo(StatusData.create(StatusCode.ERROR, "the prompt is not allowed"));
    EventData exception = event(process, "exception");
    assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.type")))
        .isEqualTo("dev.asyncjobs.PermanentGenerationException");
    assertThat(exception.getAttributes().get(AttributeKey.stringKey("exception.message")))
        .isEqualTo("the prompt is not allowed");
    assertThat(eventNames(process)).doesNotContain(JobSpans.RETRY_SCHEDULED_EVENT);
    assertThat(awaitStatus(jobs, created.job(), JobStatus.FAILED).attempts()).isEqualTo(1);
  }

  @Test
  void aTimedOutAttemptSaysSoAndTheRetryThatFollowsIsTraced() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b.timeout("probe", Duration.ofMillis(200)));
    Created created = createInSpan(jobs, probe("block-first"));
    SpanData first = attempt(created.job(), 1);
    assertThat(outcome(first)).isEqualTo("timed_out");
    assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(event(first, JobSpans.TIMED_OUT_EVENT).getAttributes().get(JobSpans.TIMEOUT_MS)).isEqualTo(200L);
    assertThat(eventNames(first)).containsSubsequence(JobSpans.TIMED_OUT_EVENT, JobSpans.RETRY_SCHEDULED_EVENT);
    assertThat(event(first, "exception").getAttributes().get(AttributeKey.stringKey("exception.message")))
        .isEqualTo("attempt 1 timed out after 200 ms");
    assertThat(outcome(attempt(created.job(), 2))).isEqualTo("completed");
  }

  @Test
  void anAttemptWhoseLeaseIsLostEndsWithALeaseLostEventAndTheRescuedJobRunsAgainInTheSameTrace() throws Exception {
    MutableClock clock = new MutableClock();
    InMemoryJobStore memory = store(new InMemoryJobStore(clock));
    JobManager jobs = manager(true);
    // Heartbeats and rescues far apart in real time: the test's clock decides when the lease is gone.
    worker(jobs, b -> b.leaseDuration(Duration.ofSeconds(30)).heartbeatInterval(Duration.ofSeconds(10))
        .rescueInterval(Duration.ofMinutes(10)));
    Created created = createInSpan(jobs, probe("block-first"));
    probe.awaitBlocked();
    clock.advance(Duration.ofMinutes(1));
    // Another worker's rescue: the job goes back to PENDING, and this worker hears it was taken away.
    assertThat(memory.rescueExpired(10)).extracting(Job::id).containsExactly(created.job().id());

    SpanData lost = attempt(created.job(), 1);
    assertThat(outcome(lost)).isEqualTo("lease_lost");
    assertThat(eventNames(lost)).contains(JobSpans.LEASE_LOST_EVENT);
    assertThat(lost.getStatus()).isEqualTo(StatusData.create(StatusCode.ERROR, "lease_lost"));
    SpanData again = attempt(created.job(), 2);
    assertThat(outcome(again)).isEqualTo("completed");
    assertThat(again.getParentSpanId()).isEqualTo(lost.getParentSpanId());
    assertThat(again.getTraceId()).isEqualTo(created.caller().getTraceId());
  }

  @Test
  void aJobCancelledWhileItRunsEndsItsAttemptAsCancelled() throws Exception {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Created created = createInSpan(jobs, probe("block"));
    probe.awaitBlocked();
    jobs.cancel("alice", created.job().id());
    SpanData process = attempt(created.job(), 1);
    assertThat(outcome(process)).isEqualTo("cancelled");
    assertThat(process.getStatus()).isEqualTo(StatusData.unset());
  }

  @Test
  void anAttemptGivenBackAtShutdownEndsAsReleased() throws Exception {
    JobManager jobs = manager(true);
    JobWorker w = worker(jobs, b -> b.shutdownGracePeriod(Duration.ofMillis(50)));
    Created created = createInSpan(jobs, probe("block"));
    probe.awaitBlocked();
    w.close();
    SpanData process = attempt(created.job(), 1);
    assertThat(outcome(process)).isEqualTo("released");
    assertThat(process.getStatus()).isEqualTo(StatusData.unset());
    assertThat(jobs.get("alice", created.job().id()).status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void aCompletionTheStoreRefusesUntilTheWorkerStopsEndsTheSpanAsNotRecordedWithTheStoresError() {
    InMemoryJobStore memory = new InMemoryJobStore();
    toClose.add(memory);
    AtomicInteger refused = new AtomicInteger();
    store = refusingCompletions(memory, refused);
    JobManager jobs = manager(true);
    JobWorker w = worker(jobs, b -> b.shutdownGracePeriod(Duration.ofMillis(50)));
    Created created = createInSpan(jobs, probe("ok"));
    // The worker keeps the result and writes it again; it gives it up only when it stops.
    Waits.until("a refused completion", Duration.ofSeconds(20), () -> refused.get() > 0);
    w.close();
    SpanData process = attempt(created.job(), 1);
    assertThat(outcome(process)).isEqualTo("not_recorded");
    assertThat(process.getStatus()).isEqualTo(StatusData.create(StatusCode.ERROR, "the database is down"));
    assertThat(event(process, "exception").getAttributes().get(AttributeKey.stringKey("exception.type")))
        .isEqualTo(JobStoreException.class.getName());
  }

  /** The store, except that every completion write fails as in an outage; {@code refused} counts them. */
  private static JobStore refusingCompletions(JobStore real, AtomicInteger refused) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          if (method.getName().startsWith("complete")) {
            refused.incrementAndGet();
            throw new JobStoreException("the database is down", "08006", null);
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  // ---- jobs without a context ----

  @Test
  void aJobCreatedWithoutTracingRunsInANewRootSpan() {
    JobManager untraced = manager(false);
    worker(manager(true), b -> b);
    Created created = createInSpan(untraced, probe("ok"));
    assertThat(created.job().metadata()).isEmpty();
    SpanData process = attempt(created.job(), 1);
    assertThat(process.getParentSpanContext().isValid()).isFalse();
    assertThat(process.getTraceId()).isNotEqualTo(created.caller().getTraceId());
    assertThat(process.getLinks()).isEmpty();
    assertThat(outcome(process)).isEqualTo("completed");
  }

  @Test
  void aMalformedTraceparentIsIgnoredAndTheJobRunsInANewRootSpan() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Created created = createInSpan(jobs,
        JobRequest.builder("alice", Probe.TYPE, new Probe.Step("ok")).metadata("traceparent", "00-not-a-trace-id-01").build());
    // A context the caller set is the caller's to choose: kept as it is, and no create span.
    assertThat(created.job().metadata()).containsExactly(java.util.Map.entry("traceparent", "00-not-a-trace-id-01"));
    SpanData process = attempt(created.job(), 1);
    assertThat(process.getParentSpanContext().isValid()).isFalse();
    assertThat(process.getLinks()).isEmpty();
    assertThat(outcome(process)).isEqualTo("completed");
    assertThat(traces.finished()).noneMatch(named("create probe"));
  }

  @Test
  void aContextTheCallerStoredIsTheParent() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Span upstream = app.spanBuilder("upstream").startSpan();
    upstream.end();
    SpanContext u = upstream.getSpanContext();
    Job job = jobs.create(JobRequest.builder("alice", Probe.TYPE, new Probe.Step("ok"))
        .metadata("traceparent", "00-" + u.getTraceId() + "-" + u.getSpanId() + "-01").build());
    SpanData process = attempt(job, 1);
    assertThat(process.getParentSpanId()).isEqualTo(u.getSpanId());
    assertThat(process.getParentSpanContext().isRemote()).isTrue();
  }

  @Test
  void aRequestWithNoRoomLeftInItsMetadataIsCreatedWithoutTheContext() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    JobRequest.Builder full = JobRequest.builder("alice", Probe.TYPE, new Probe.Step("ok"));
    for (int i = 0; i < JobManager.MAX_METADATA_ENTRIES; i++) {
      full.metadata("k" + i, "v");
    }
    Created created = createInSpan(jobs, full.build());
    assertThat(created.job().metadata()).hasSize(JobManager.MAX_METADATA_ENTRIES).doesNotContainKey("traceparent");
    assertThat(attempt(created.job(), 1).getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void aFieldTooLongForMetadataIsLeftOutAndTheRestIsStored() {
    JobManager jobs = manager(true);
    worker(jobs, b -> b);
    Created created;
    try (Scope ignored = Baggage.builder().put("tenant", "x".repeat(600)).build().makeCurrent()) {
      created = createInSpan(jobs, probe("ok"));
    }
    assertThat(created.job().metadata()).containsKey("traceparent").doesNotContainKey("baggage");
    assertThat(attempt(created.job(), 1).getTraceId()).isEqualTo(created.caller().getTraceId());
  }

  // ---- registration ----

  @Test
  void registeredAsAnInterceptorOnlyTheAttemptSpanEndsWhenTheGeneratorReturns() {
    JobManager jobs = manager(true);
    JobWorker w = JobWorker.builder(jobs).interceptor(tracing).pollInterval(Duration.ofMillis(50)).build();
    toClose.add(w);
    w.start();
    Created ok = createInSpan(jobs, probe("ok"));
    Created failing = createInSpan(jobs, JobRequest.builder("alice", Probe.TYPE, new Probe.Step("fail")).build());
    SpanData done = attempt(ok.job(), 1);
    assertThat(done.getParentSpanId()).isNotEqualTo(ok.caller().getSpanId()); // the create span's child
    assertThat(done.getTraceId()).isEqualTo(ok.caller().getTraceId());
    assertThat(done.getAttributes().get(JobSpans.JOB_OUTCOME)).isNull();
    SpanData failed = attempt(failing.job(), 1);
    assertThat(failed.getStatus()).isEqualTo(StatusData.create(StatusCode.ERROR, "the prompt is not allowed"));
    assertThat(awaitStatus(jobs, failing.job(), JobStatus.FAILED).errorMessage()).isEqualTo("the prompt is not allowed");
  }
}
