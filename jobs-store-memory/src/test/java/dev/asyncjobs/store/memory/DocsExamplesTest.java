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
}
