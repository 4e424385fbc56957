package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.FinishedCount;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobDetail;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobType;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.Page;
import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.tck.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The operators' facade end to end on the in-memory store: find a failure across owners, read its attempts, retry it. */
class JobAdminTest {
  /** Fails its first {@code failures} calls with a provider error, then answers. */
  static final class Flaky extends AbstractGenerator<Map<String, Object>> {
    @SuppressWarnings("unchecked")
    static final JobType<Map<String, Object>> TYPE = JobType.of("flaky", (Class<Map<String, Object>>) (Class<?>) Map.class);
    final AtomicInteger calls = new AtomicInteger();
    final int failures;

    Flaky(int failures) {
      super(TYPE);
      this.failures = failures;
    }

    @Override
    public Object generate(Map<String, Object> p, JobContext context) {
      int call = calls.incrementAndGet();
      if (call <= failures) {
        throw new RetryableGenerationException("provider timeout on call " + call, Duration.ofSeconds(1), null);
      }
      return Map.of("call", call);
    }
  }

  @Test
  void manyJobsOfEveryOwnerAreFoundInOneReadAndTooManyIdsAreRefused() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new Flaky(0)).build()) {
      JobAdmin admin = JobAdmin.of(jobs);
      Job a = jobs.create(JobRequest.builder("alice", "flaky").payload("{}").build());
      Job b = jobs.create(JobRequest.builder("bob", "flaky").payload("{}").build());

      assertThat(admin.find(List.of(a.id(), b.id(), a.id(), UUID.randomUUID()))).extracting(Job::id)
          .containsExactlyInAnyOrder(a.id(), b.id());
      assertThat(admin.find(List.of())).isEmpty();
      List<UUID> tooMany = new java.util.ArrayList<>();
      for (int i = 0; i <= 1000; i++) {
        tooMany.add(UUID.randomUUID());
      }
      assertThatThrownBy(() -> admin.find(tooMany)).isInstanceOfSatisfying(InvalidRequestException.class,
          e -> assertThat(e.field()).isEqualTo("jobIds"));
    }
  }

  @Test
  void anOperatorFindsAFailureAcrossOwnersReadsItsAttemptsAndRetriesIt() {
    MutableClock clock = new MutableClock();
    Flaky flaky = new Flaky(2);
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(flaky).build()) {
      Job failing = jobs.create(JobRequest.builder("alice", "flaky").payload("{}").maxAttempts(2).build());
      jobs.create(JobRequest.builder("bob", "flaky").payload("{}").runAt(clock.instant().plusSeconds(3600)).build());
      ManualWorker worker = ManualWorker.of(jobs);
      worker.runDue();
      clock.advance(Duration.ofSeconds(2));
      worker.runDue();
      assertThat(jobs.get("alice", failing.id()).status()).isEqualTo(JobStatus.FAILED);

      // EXAMPLE-BEGIN admin
      JobAdmin admin = JobAdmin.of(jobs);
      Page<Job> failed = admin.search(JobQuery.allOwners().statuses(JobStatus.FAILED).errorContains("timeout").build());
      JobDetail detail = admin.detail(failed.items().get(0).id()).orElseThrow();
      detail.attemptErrors().forEach(e -> System.out.println("attempt " + e.attempt() + ": " + e.message()));
      Job again = admin.retry(detail.job().id(), "ops@example.com");   // logged with who did it
      // EXAMPLE-END admin

      assertThat(failed.items()).extracting(Job::id).containsExactly(failing.id());
      assertThat(detail.attemptErrors()).extracting(JobDetail.AttemptError::attempt, JobDetail.AttemptError::message,
          JobDetail.AttemptError::gaveUp).containsExactly(
              org.assertj.core.groups.Tuple.tuple(1, "provider timeout on call 1", false),
              org.assertj.core.groups.Tuple.tuple(2, "provider timeout on call 2", true));
      assertThat(again.status()).isEqualTo(JobStatus.PENDING);
      assertThat(again.maxAttempts()).isEqualTo(3);
      assertThat(worker.runDue()).extracting(Job::id).containsExactly(failing.id());
      assertThat(jobs.get("alice", failing.id()).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(admin.detail(failing.id()).orElseThrow().attemptErrors()).as("the retry adds no error of its own").hasSize(2);

      List<FinishedCount> hour = admin.throughput(Duration.ofHours(1), Duration.ofMinutes(1));
      assertThat(hour).extracting(FinishedCount::type).containsOnly("flaky");
      assertThat(hour.stream().mapToLong(FinishedCount::completed).sum()).as("the failure was retried: it counts as completed").isEqualTo(1);

      Job bobs = admin.search(JobQuery.forOwner("bob").build()).items().get(0);
      assertThat(admin.cancel(bobs.id(), "ops@example.com").status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(admin.delete(bobs.id(), "ops@example.com").id()).isEqualTo(bobs.id());
      assertThat(admin.detail(bobs.id())).isEmpty();
      assertThat(admin.queues()).as("nothing waits or runs any more").isEqualTo(jobs.queueStats()).isEmpty();
    }
  }

  /** Each action is logged with who did it (slf4j-simple writes to the standard error stream of the moment). */
  @Test
  void everyActionIsLoggedWithItsActor() {
    MutableClock clock = new MutableClock();
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(new Flaky(0)).build()) {
      JobAdmin admin = JobAdmin.of(jobs);
      Job job = jobs.create(JobRequest.builder("alice", "flaky").payload("{}").build());
      System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
      try {
        admin.pause("flaky", "ops-pat");
        admin.resume("flaky", "ops-pat");
        admin.cancel(job.id(), "ops-pat");
        admin.retry(job.id(), "ops-pat");
      } finally {
        System.setErr(original);
      }
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).contains("operator ops-pat paused flaky").contains("operator ops-pat resumed flaky")
        .contains("operator ops-pat cancelled job").contains("operator ops-pat retried job").contains("of owner alice");
  }

  @Test
  void badArgumentsAreTypedErrorsAndChangeNothing() {
    MutableClock clock = new MutableClock();
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(new Flaky(0)).build()) {
      JobAdmin admin = JobAdmin.of(jobs);
      Job job = jobs.create(JobRequest.builder("alice", "flaky").payload("{}").build());
      for (String actor : new String[] {"", " ", "line\nbreak", "x".repeat(201)}) {
        assertThatThrownBy(() -> admin.cancel(job.id(), actor)).isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("actor"));
      }
      assertThatThrownBy(() -> admin.cancel(job.id(), null)).isInstanceOf(InvalidRequestException.class);
      assertThat(jobs.get("alice", job.id()).status()).as("refused actors changed nothing").isEqualTo(JobStatus.PENDING);
      assertThatThrownBy(() -> admin.retry(UUID.randomUUID(), "ops")).isInstanceOf(JobNotFoundException.class);
      assertThatThrownBy(() -> admin.cancel(UUID.randomUUID(), "ops")).isInstanceOf(JobNotFoundException.class);
      assertThatThrownBy(() -> admin.throughput(Duration.ofHours(1), Duration.ofMillis(500)))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("bucket"));
      assertThatThrownBy(() -> admin.throughput(Duration.ofMinutes(1), Duration.ofHours(1)))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("bucket"));
      assertThatThrownBy(() -> admin.throughput(Duration.ofDays(30), Duration.ofSeconds(1)))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("window"));
      assertThatThrownBy(() -> admin.throughput(Duration.ofDays(365 * 300), Duration.ofDays(365)))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("window"));
      assertThatThrownBy(() -> admin.throughput(Duration.ofHours(1), Duration.parse("PT1.0000005S")))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("bucket"));
      assertThatThrownBy(() -> JobQuery.allOwners().errorContains("nul\u0000").build())
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("errorContains"));
      admin.cancel(job.id(), "Zoë Operator"); // any text an operator's id may be, spaces and accents included
      assertThatThrownBy(() -> JobQuery.allOwners().errorContains(" ").build())
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("errorContains"));
      assertThatThrownBy(() -> JobQuery.allOwners().errorContains("x".repeat(201)).build()).isInstanceOf(InvalidRequestException.class);
    }
  }
}
