package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobOutput;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobType;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.RateLimitedException;
import dev.asyncjobs.Usage;
import java.math.BigDecimal;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Java samples of {@code docs/events.md} and {@code docs/workers.md}, compiled and run: each is
 * quoted on its page between its markers (the release check compares every Java block of the docs
 * with the marked examples of the test sources).
 */
class DocsExamplesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static JobRequest echo(String owner) {
    return JobRequest.of(owner, EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1));
  }

  @Test
  void subscribeResumeAndReadEvents() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new EchoGenerator()).build()) {
      EventRecorder listener = new EventRecorder();
      // EXAMPLE-BEGIN events
      Subscription live = jobs.subscribe("alice", listener);            // alice's events from now on
      long resumeAfter = live.startedAfter();                           // or the sequence of the last event seen
      Subscription again = jobs.subscribe("alice", resumeAfter, listener); // exactly what came after, then live
      List<JobEvent> page = jobs.readEvents("alice", resumeAfter, 100); // the same, for clients that poll
      // EXAMPLE-END events
      assertThat(page).isEmpty();
      Job job = jobs.create(echo("alice"));
      jobs.create(echo("bob"));
      listener.await(job.id(), JobEvent.Kind.CREATED, WAIT);
      assertThat(jobs.readEvents("alice", resumeAfter, 100)).extracting(JobEvent::jobId).containsExactly(job.id());
      live.close();
      again.close();
      assertThat(listener.events()).extracting(JobEvent::ownerId).containsOnly("alice");
    }
  }

  /** A generator that streams its text as it writes it, and one part per scene. */
  static final class StoryGenerator extends AbstractGenerator<StoryGenerator.Story> {
    static final JobType<Story> TYPE = JobType.of("story", Story.class);

    record Story(String topic) {}

    record Scene(int number, String title) {}

    StoryGenerator() {
      super(TYPE);
    }

    // EXAMPLE-BEGIN streaming-generator
    @Override
    public Object generate(Story story, JobContext context) {
      StringBuilder text = new StringBuilder();
      for (String word : List.of("Once ", "upon ", "a ", "time, ", story.topic(), ".")) {
        context.appendText(word);                     // readers see it at once (coalesced, ordered)
        text.append(word);
      }
      context.emitPart(new Scene(1, "The harbour"));  // one part of the output, as JSON
      context.emitPart(new Scene(2, "The storm"));
      return Map.of("text", text.toString());         // the result is still what counts
    }
    // EXAMPLE-END streaming-generator
  }

  @Test
  void streamedOutputIsReadAsTheJobRuns() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new StoryGenerator()).build();
        JobWorker worker = JobWorker.builder(jobs).build().start()) {
      EventRecorder events = new EventRecorder();
      Subscription s = jobs.subscribe("alice", events);
      Job job = jobs.create(JobRequest.of("alice", StoryGenerator.TYPE, new StoryGenerator.Story("a lighthouse")));
      events.await(job.id(), JobEvent.Kind.COMPLETED, WAIT);
      // EXAMPLE-BEGIN streaming-read
      JobOutput out = jobs.output("alice", job.id());      // what the current attempt streamed so far
      String text = out.text();                             // "Once upon a time, a lighthouse."
      List<JsonNode> scenes = out.parts();                  // {"number":1,"title":"The harbour"}, ...
      long resumeAfter = out.lastSequence();                // subscribe(owner, resumeAfter, ...) for the rest
      // EXAMPLE-END streaming-read
      s.close();
      assertThat(text).isEqualTo("Once upon a time, a lighthouse.");
      assertThat(scenes).extracting(n -> n.get("title").asText()).containsExactly("The harbour", "The storm");
      assertThat(resumeAfter).isEqualTo(events.eventsOf(job.id()).get(events.eventsOf(job.id()).size() - 1).sequence());
      assertThat(jobs.get("alice", job.id()).resultTree().get("text").asText()).isEqualTo(text);
    }
  }

  @Test
  void startAndCloseAWorker() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new EchoGenerator()).build()) {
      EventRecorder events = new EventRecorder();
      Subscription s = jobs.subscribe("alice", events);
      Job job = jobs.create(echo("alice"));
      // EXAMPLE-BEGIN worker
      JobWorker worker = JobWorker.builder(jobs).build().start();   // start: one line
      // ... the application runs; jobs created with jobs.create(...) start within milliseconds ...
      worker.close();                                               // stop: one line (graceful)
      // EXAMPLE-END worker
      s.close();
      // a graceful close leaves no attempt running: the job finished, or is PENDING for the next worker
      assertThat(jobs.get("alice", job.id()).status()).isIn(JobStatus.COMPLETED, JobStatus.PENDING);
    }
  }

  @Test
  void aFairWorkerTakesOwnersInTurn() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new EchoGenerator()).build()) {
      for (int i = 0; i < 50; i++) {
        jobs.create(echo("alice"));
      }
      List<Job> bobs = List.of(jobs.create(echo("bob")), jobs.create(echo("bob")));
      EventRecorder events = new EventRecorder();
      Subscription s = jobs.subscribe("bob", events);
      // EXAMPLE-BEGIN fair-worker
      JobWorker worker = JobWorker.builder(jobs)
          .fairBetweenOwners(true)   // within a priority, owners take turns: alice's 50 do not hold back bob's 2
          .build()
          .start();
      // EXAMPLE-END fair-worker
      for (Job bob : bobs) {
        events.await(bob.id(), JobEvent.Kind.COMPLETED, Duration.ofSeconds(20));
      }
      worker.close();
      s.close();
      // The worker's first claim took bob's jobs beside alice's first ones: none of hers started earlier.
      java.time.Instant first = jobs.list(dev.asyncjobs.JobQuery.forOwner("alice").limit(100).build()).items().stream()
          .map(Job::startedAt).filter(java.util.Objects::nonNull).min(java.util.Comparator.naturalOrder()).orElseThrow();
      for (Job bob : bobs) {
        assertThat(jobs.get("bob", bob.id()).startedAt()).isEqualTo(first);
      }
    }
  }

  /** A generator that pays a provider per call and says what it was billed. */
  static final class CaptionGenerator extends AbstractGenerator<CaptionGenerator.Photo> {
    static final JobType<Photo> TYPE = JobType.of("caption", Photo.class);

    record Photo(String url) {}

    CaptionGenerator() {
      super(TYPE);
    }

    @Override
    public Object generate(Photo photo, JobContext context) {
      // EXAMPLE-BEGIN usage-report
      String caption = "a harbour at dawn";                 // what the provider answered, and what it billed:
      context.reportUsage(Usage.of("vision-model-2")
          .inputTokens(1_105)                               // the photo and the prompt
          .outputTokens(9)                                  // the caption
          .build());                                        // reports of one attempt add up
      // EXAMPLE-END usage-report
      return Map.of("caption", caption, "url", photo.url());
    }
  }

  @Test
  void aGeneratorReportsWhatAnAttemptConsumed() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new CaptionGenerator()).build()) {
      Job created = jobs.create(JobRequest.of("alice", CaptionGenerator.TYPE, new CaptionGenerator.Photo("https://example.com/p.jpg")));
      ManualWorker.of(jobs).runNext();
      // EXAMPLE-BEGIN usage-read
      Job job = jobs.get("alice", created.id());
      Usage used = job.usage();                             // every attempt, added up
      BigDecimal tokensIn = used.amount("vision-model-2", Usage.Unit.INPUT_TOKENS);
      Map<Integer, Usage> byAttempt = job.attemptUsage();   // {1={vision-model-2={INPUT_TOKENS=1105, OUTPUT_TOKENS=9}}}
      // EXAMPLE-END usage-read
      assertThat(tokensIn).isEqualByComparingTo("1105");
      assertThat(byAttempt).containsOnlyKeys(1);
      assertThat(used.toJson()).isEqualTo("{\"vision-model-2\":{\"input_tokens\":1105,\"output_tokens\":9}}");
    }
  }

  @Test
  void runJobsByHandInATest() {
    MutableClock clock = new MutableClock();
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).generator(new EchoGenerator()).build()) {
      JobRequest request = echo("alice");
      // EXAMPLE-BEGIN manual-worker
      ManualWorker worker = ManualWorker.of(jobs);            // or JobWorker.builder(jobs)...buildManual()
      Job job = jobs.create(request);
      Job after = worker.runNext().orElseThrow();             // one attempt: COMPLETED, FAILED, or PENDING for a retry
      clock.advance(Duration.ofMinutes(1));                   // with a clock you control
      List<Job> attempts = worker.runDue();                   // every attempt that is due now
      worker.rescueExpired();                                 // what a real worker does for crashed peers
      // EXAMPLE-END manual-worker
      assertThat(after.id()).isEqualTo(job.id());
      assertThat(after.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(after.resultTree().get("text").asText()).isEqualTo("hi");
      assertThat(attempts).isEmpty();
    }
  }
  /** A generator of a provider that counts seconds of video and answers 429 when busy. */
  static final class RenderGenerator extends AbstractGenerator<RenderGenerator.Scene> {
    static final JobType<Scene> TYPE = JobType.of("render", Scene.class);

    record Scene(String prompt, int seconds) {}

    /** The provider's answer: a clip, or "busy, come back in retryAfter". */
    record Reply(@org.jspecify.annotations.Nullable String clipUrl, Duration retryAfter, int secondsBilled) {}

    private final java.util.function.Function<Scene, Reply> provider;

    RenderGenerator(java.util.function.Function<Scene, Reply> provider) {
      super(TYPE);
      this.provider = provider;
    }

    // EXAMPLE-BEGIN limits-generator
    @Override
    public Set<String> resources() {
      return Set.of("acme:render-v2");            // every limit named so binds these jobs
    }

    @Override
    public long estimateUnits(Scene scene) {
      return scene.seconds();                     // reserved under a maxUnits limit when an attempt starts
    }

    @Override
    public Object generate(Scene scene, JobContext context) {
      Reply reply = provider.apply(scene);
      if (reply.clipUrl() == null) {              // HTTP 429: every worker stops calling acme:render-v2
        throw new RateLimitedException("acme:render-v2", reply.retryAfter());
      }
      context.reportUnits(reply.secondsBilled()); // replaces the estimate in the window
      return Map.of("url", reply.clipUrl());
    }
    // EXAMPLE-END limits-generator
  }

  @Test
  void limitsPausesAndBackOffs() {
    MutableClock clock = new MutableClock();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    RenderGenerator render = new RenderGenerator(scene -> calls.incrementAndGet() == 1
        ? new RenderGenerator.Reply(null, Duration.ofSeconds(5), 0)
        : new RenderGenerator.Reply("https://cdn.example/clip.mp4", Duration.ZERO, scene.seconds() - 1));
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(render).build()) {
      // EXAMPLE-BEGIN limits
      jobs.defineLimit(JobLimit.builder("acme:render-v2")        // a resource that generators declare
          .maxRunning(4)                                          // at once, across every worker
          .maxStarts(30, Duration.ofMinutes(1))                   // requests per minute
          .maxUnits(600, Duration.ofMinutes(1))                   // seconds of video per minute
          .build());
      jobs.defineLimit(JobLimit.builder("render").maxRunning(2).build()); // or a job type
      jobs.pause("render");                                       // no new attempt anywhere; running ones finish
      jobs.resume("render");                                      // (also ends a provider's back-off)
      List<LimitStatus> limits = jobs.limits();                   // use, pause, back-off and waiting jobs of each
      // EXAMPLE-END limits
      assertThat(limits).extracting(LimitStatus::name).containsExactly("acme:render-v2", "render");
      ManualWorker worker = ManualWorker.of(jobs);
      Job job = jobs.create(JobRequest.of("alice", RenderGenerator.TYPE, new RenderGenerator.Scene("a harbour", 8)));
      Job refused = worker.runNext().orElseThrow();
      assertThat(refused.status()).isEqualTo(JobStatus.PENDING);
      assertThat(refused.deferrals()).isEqualTo(1);
      assertThat(jobs.limits().get(0).backoffUntil()).isEqualTo(clock.instant().plusSeconds(5));
      assertThat(worker.runDue()).as("backing off").isEmpty();
      clock.advance(Duration.ofSeconds(5));
      Job done = worker.runNext().orElseThrow();
      assertThat(done.id()).isEqualTo(job.id());
      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.attempts()).isEqualTo(1);
      assertThat(jobs.limits().get(0).unitsInWindow()).isEqualTo(7);
    }
  }
}
