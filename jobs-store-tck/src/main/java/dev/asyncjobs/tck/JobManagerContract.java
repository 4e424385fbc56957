package dev.asyncjobs.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.ContentRejectedException;
import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.Generator;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobOutput;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.KeywordContentModerator;
import dev.asyncjobs.PayloadTooLargeException;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.QuotaUsage;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.UnknownJobTypeException;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.OutputAppend;
import dev.asyncjobs.spi.OutputChunk;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The contract of {@link JobManager} over a real store: every bad input is refused with a typed
 * error that names the problem, and leaves no job, no quota use and no event behind; owners never
 * see each other's jobs. The manager suite of {@link JobStoreTck}.
 */
abstract class JobManagerContract {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String A = "alice";
  private static final String B = "bob";

  /** The clock of the test's store; tests move it by hand. */
  protected MutableClock clock;
  /** The store under test, fresh and empty for each test. */
  protected JobStore store;
  /** A manager on that store. */
  protected JobManager jobs;
  private EventRecorder allEvents;
  private Subscription allSubscription;

  /**
   * A fresh, empty store whose clock is {@code clock}.
   *
   * @param clock the clock the store must use
   * @return the store
   */
  protected abstract JobStore createStore(MutableClock clock);

  @BeforeEach
  void setUpManager(TestInfo test) {
    clock = new MutableClock();
    store = createStore(clock);
    Capabilities.assumeDeclared(store, test);
    // ten an hour where the store has quotas, so that refused creates can be seen to use none
    jobs = manager(quotas() ? QuotaPolicy.perOwner(10, 100, Duration.ZERO) : QuotaPolicy.unlimited(), b -> {});
    allEvents = new EventRecorder();
    allSubscription = jobs.subscribeAll(allEvents);
  }

  @AfterEach
  void tearDownManager() {
    if (allSubscription != null) {
      allSubscription.close();
    }
    if (jobs != null) {
      jobs.close();
    }
    store.close();
  }

  private boolean quotas() {
    return Capabilities.has(store, StoreCapability.QUOTAS);
  }

  /** The owner's creates in the last day, or 0 on a store without quotas (which records none). */
  private int quotaUsedToday(String owner) {
    return quotas() ? store.quotaWindow(owner).lastDay() : 0;
  }

  private JobManager manager(QuotaPolicy quotas, Consumer<JobManager.Builder> extra) {
    JobManager.Builder b = JobManager.builder()
        .store(store)
        .generator(new EchoGenerator())
        .moderator(KeywordContentModerator.builder().block("violence", "massacre").build())
        .quotaPolicy(quotas);
    extra.accept(b);
    return b.build();
  }

  private static JobRequest echo(String owner, String payload) {
    return JobRequest.builder(owner, "echo").payload(payload).build();
  }

  private static JobRequest echo(String owner) {
    return echo(owner, "{\"text\":\"hi\",\"repeat\":2}");
  }

  private int storedJobs() {
    return store.query(JobQuery.allOwners().limit(JobQuery.MAX_LIMIT).build()).items().size();
  }

  /** Runs a refused call and checks that it changed nothing: no job, no quota use, no event. */
  private <T extends JobException> T refusedWithoutTrace(Class<T> type, ThrowingCallable call) {
    int jobsBefore = storedJobs();
    int quotaBefore = quotaUsedToday(A);
    Job marker = jobs.create(JobRequest.builder("marker-before", "echo").payload("{\"text\":\"m\",\"repeat\":1}").build());
    allEvents.await(e -> e.jobId().equals(marker.id()), WAIT, "marker event before");
    int eventsBefore = allEvents.events().size();
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(thrown).isInstanceOf(type);
    Job after = jobs.create(JobRequest.builder("marker-after", "echo").payload("{\"text\":\"m\",\"repeat\":1}").build());
    allEvents.await(e -> e.jobId().equals(after.id()), WAIT, "marker event after");
    // the only event between the markers is the second marker's CREATED
    assertThat(allEvents.events().subList(eventsBefore, allEvents.events().size()))
        .extracting(JobEvent::jobId).containsOnly(after.id());
    assertThat(storedJobs()).isEqualTo(jobsBefore + 2);
    assertThat(quotaUsedToday(A)).isEqualTo(quotaBefore);
    return type.cast(thrown);
  }

  // ------------------------------------------------------------------ creating

  @Test
  void createStoresAPendingJobWithDefaults() {
    Job job = jobs.create(echo(A));
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.ownerId()).isEqualTo(A);
    assertThat(job.priority()).isEqualTo(JobRequest.DEFAULT_PRIORITY);
    assertThat(job.maxAttempts()).isEqualTo(JobRequest.DEFAULT_MAX_ATTEMPTS);
    assertThat(job.attempts()).isZero();
    assertThat(job.estimatedDuration()).isEqualTo(Duration.ofSeconds(7));
    assertThat(job.createdAt()).isEqualTo(clock.instant());
    assertThat(job.id().version()).isEqualTo(7);
    assertThat(job.payloadTree().get("text").asText()).isEqualTo("hi");
    assertThat(jobs.get(A, job.id())).isEqualTo(job);
    allEvents.await(e -> e.jobId().equals(job.id()) && e.kind() == JobEvent.Kind.CREATED, WAIT, "CREATED");
  }

  @Test
  void metadataGivenWithTheRequestIsStoredWithTheJob() {
    Job job = jobs.create(echo(A).toBuilder().metadata("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        .metadata("correlation-id", "order-42").build());
    assertThat(job.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "correlation-id", "order-42"));
    assertThat(jobs.get(A, job.id()).metadata()).isEqualTo(job.metadata());
  }

  @Test
  void badMetadataIsRefusedNamingTheProblem() {
    JobRequest.Builder tooMany = echo(A).toBuilder();
    for (int i = 0; i <= JobManager.MAX_METADATA_ENTRIES; i++) {
      tooMany.metadata("k" + i, "v");
    }
    Map<JobRequest, String> bad = new java.util.LinkedHashMap<>();
    bad.put(tooMany.build(), "at most " + JobManager.MAX_METADATA_ENTRIES + " entries");
    bad.put(echo(A).toBuilder().metadata("Upper", "v").build(), "a metadata key must be 1-64 of a-z");
    bad.put(echo(A).toBuilder().metadata("", "v").build(), "a metadata key must be 1-64 of a-z");
    bad.put(echo(A).toBuilder().metadata("k".repeat(65), "v").build(), "one of 65 characters");
    bad.put(echo(A).toBuilder().metadata("k", "x".repeat(JobManager.MAX_METADATA_VALUE_LENGTH + 1)).build(),
        "at most " + JobManager.MAX_METADATA_VALUE_LENGTH + " printable characters");
    bad.put(echo(A).toBuilder().metadata("k", "a\u0000b").build(), "with control characters");
    bad.forEach((request, message) -> {
      InvalidRequestException e = refusedWithoutTrace(InvalidRequestException.class, () -> jobs.create(request));
      assertThat(e.field()).isEqualTo("metadata");
      assertThat(e.getMessage()).contains(message);
    });
  }

  @Test
  void createInterceptorsMayChangeTheRequestAndSeeOnlyNewlyStoredJobs() {
    List<String> calls = new ArrayList<>();
    List<Job> seen = new ArrayList<>();
    jobs.close();
    jobs = manager(QuotaPolicy.unlimited(), b -> b
        .interceptor(new dev.asyncjobs.CreateInterceptor() {
          @Override
          public JobRequest beforeCreate(JobRequest request) {
            calls.add("first " + request.metadata());
            return request.toBuilder().metadata("added-by", "first").build();
          }

          @Override
          public void afterCreate(List<Job> created) {
            seen.addAll(created);
          }
        })
        .interceptor(new dev.asyncjobs.CreateInterceptor() {
          @Override
          public JobRequest beforeCreate(JobRequest request) {
            calls.add("second " + request.metadata());
            return request;
          }
        }));
    JobRequest keyed = echo(A).toBuilder().idempotencyKey("once").build();
    Job first = jobs.create(keyed);
    Job replay = jobs.create(keyed);

    assertThat(first.metadata()).containsEntry("added-by", "first");
    assertThat(replay.id()).isEqualTo(first.id());
    assertThat(calls).containsExactly("first {}", "second {added-by=first}", "first {}", "second {added-by=first}");
    assertThat(seen).extracting(Job::id).as("the replay stored nothing new").containsExactly(first.id());
  }

  @Test
  void outputIsTheLatestAttemptsTextAndPartsWithWhereToResume() {
    Job job = jobs.create(echo(A));
    ClaimRequest claim = new ClaimRequest("w-output", Set.of("echo"), 1, Duration.ofMinutes(1));
    Job first = store.claim(claim).get(0);
    store.appendOutput(new OutputAppend(Lease.of(first), List.of(OutputChunk.text("a first try"))));
    store.fail(new Failure(Lease.of(first), "busy", clock.instant()));
    Job second = store.claim(claim).get(0);
    store.appendOutput(new OutputAppend(Lease.of(second), List.of(
        OutputChunk.restarted(), OutputChunk.text("Hello, "), OutputChunk.part("{\"n\":1}"), OutputChunk.text("world"))));
    JobEvent last = allEvents.await(e -> e.jobId().equals(job.id()) && "world".equals(e.data()), WAIT, "the last delta");

    JobOutput out = jobs.output(A, job.id());
    assertThat(out.attempt()).isEqualTo(2);
    assertThat(out.text()).isEqualTo("Hello, world");
    assertThat(out.parts()).extracting(p -> p.get("n").asInt()).containsExactly(1);
    assertThat(out.status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(out.lastSequence()).isEqualTo(last.sequence());
    assertThat(out.truncated()).isFalse();

    Job quiet = jobs.create(echo(A));
    assertThat(jobs.output(A, quiet.id()).text()).as("nothing streamed").isEmpty();
    assertThat(jobs.output(A, quiet.id()).attempt()).isZero();
    assertThatThrownBy(() -> jobs.output(B, job.id())).isInstanceOf(JobNotFoundException.class);
    assertThatThrownBy(() -> jobs.output(A, UUID.randomUUID())).isInstanceOf(JobNotFoundException.class);
  }

  @Test
  void unknownTypeIsRefusedListingKnownTypes() {
    UnknownJobTypeException e = refusedWithoutTrace(UnknownJobTypeException.class,
        () -> jobs.create(JobRequest.builder(A, "telepathy").payload("{}").build()));
    assertThat(e.field()).isEqualTo("type");
    assertThat(e.getMessage()).contains("'telepathy'").contains("echo");
  }

  @Test
  void malformedJsonIsRefused() {
    InvalidPayloadException e = refusedWithoutTrace(InvalidPayloadException.class,
        () -> jobs.create(echo(A, "{\"text\": \"hi\",")));
    assertThat(e.field()).isEqualTo("payload");
    assertThat(e.getMessage()).contains("not valid JSON");
  }

  @Test
  void trailingGarbageAfterJsonIsRefused() {
    refusedWithoutTrace(InvalidPayloadException.class, () -> jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":1} x")));
  }

  @Test
  void payloadThatIsNotAnObjectIsRefused() {
    for (String notObject : List.of("[1,2]", "\"text\"", "42", "null", "true")) {
      InvalidPayloadException e = refusedWithoutTrace(InvalidPayloadException.class, () -> jobs.create(echo(A, notObject)));
      assertThat(e.getMessage()).contains("must be a JSON object");
    }
  }

  @Test
  void payloadFieldOfWrongTypeIsNamed() {
    InvalidPayloadException e = refusedWithoutTrace(InvalidPayloadException.class,
        () -> jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":\"twice\"}")));
    assertThat(e.field()).isEqualTo("payload.repeat");
  }

  @Test
  void unknownPayloadFieldIsNamed() {
    InvalidPayloadException e = refusedWithoutTrace(InvalidPayloadException.class,
        () -> jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":1,\"colour\":\"red\"}")));
    assertThat(e.field()).isEqualTo("payload.colour");
    assertThat(e.getMessage()).contains("unknown field 'colour'");
  }

  @Test
  void generatorValidationNamesTheField() {
    InvalidPayloadException e = refusedWithoutTrace(InvalidPayloadException.class,
        () -> jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":9}")));
    assertThat(e.field()).isEqualTo("payload.repeat");
    assertThat(e.getMessage()).contains("repeat must be 1-5, was 9");
  }

  @Test
  void payloadOverOneMegabyteIsRefusedAndExactlyOneMegabyteIsNot() {
    String frame = "{\"text\":\"\",\"repeat\":1}";
    String exact = "{\"text\":\"" + "a".repeat(JobManager.DEFAULT_MAX_PAYLOAD_BYTES - frame.length()) + "\",\"repeat\":1}";
    assertThat(exact.length()).isEqualTo(JobManager.DEFAULT_MAX_PAYLOAD_BYTES);
    String over = exact.replace("\"a", "\"aa");
    PayloadTooLargeException e = refusedWithoutTrace(PayloadTooLargeException.class, () -> jobs.create(echo(A, over)));
    assertThat(e.sizeBytes()).isEqualTo(JobManager.DEFAULT_MAX_PAYLOAD_BYTES + 1L);
    assertThat(e.limitBytes()).isEqualTo(JobManager.DEFAULT_MAX_PAYLOAD_BYTES);
    assertThat(e.getMessage()).contains("1048577 bytes").contains("1048576");
    assertThat(jobs.create(echo(A, exact)).status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void multiByteCharactersCountAsBytes() {
    String frame = "{\"text\":\"\",\"repeat\":1}";
    // 'é' is two bytes in UTF-8: half a megabyte of characters is a megabyte of bytes
    String payload = "{\"text\":\"" + "é".repeat(JobManager.DEFAULT_MAX_PAYLOAD_BYTES / 2) + "\",\"repeat\":1}";
    assertThat(payload.length() + frame.length()).isLessThan(JobManager.DEFAULT_MAX_PAYLOAD_BYTES);
    refusedWithoutTrace(PayloadTooLargeException.class, () -> jobs.create(echo(A, payload)));
  }

  @Test
  void deepNestingIsRefused() {
    String deep = "{\"text\":\"x\",\"repeat\":1,\"n\":" + "[".repeat(500) + "]".repeat(500) + "}";
    InvalidPayloadException e = refusedWithoutTrace(InvalidPayloadException.class, () -> jobs.create(echo(A, deep)));
    assertThat(e.getMessage()).contains("nested too deeply");
  }

  @Test
  void nulCharacterIsRefused() {
    InvalidPayloadException e = refusedWithoutTrace(InvalidPayloadException.class,
        () -> jobs.create(echo(A, "{\"text\":\"a\\u0000b\",\"repeat\":1}")));
    assertThat(e.field()).isEqualTo("payload.text");
    assertThat(e.getMessage()).contains("NUL");
  }

  @Test
  void unpairedSurrogateIsRefusedButEmojiIsKept() {
    refusedWithoutTrace(InvalidPayloadException.class, () -> jobs.create(echo(A, "{\"text\":\"\\ud83d\",\"repeat\":1}")));
    Job job = jobs.create(echo(A, "{\"text\":\"🚀 ünïcödé 漢字 \\u200b\",\"repeat\":1}"));
    assertThat(jobs.get(A, job.id()).payloadTree().get("text").asText()).isEqualTo("🚀 ünïcödé 漢字 \u200b");
  }

  @Test
  void injectionStringsAreStoredAsPlainText() {
    String sql = "'; DROP TABLE jobs; --";
    String script = "<script>alert(1)</script>";
    Job job = jobs.create(echo(A, "{\"text\":\"" + sql + " " + script + "\",\"repeat\":1}"));
    assertThat(jobs.get(A, job.id()).payloadTree().get("text").asText()).isEqualTo(sql + " " + script);
    assertThat(storedJobs()).isEqualTo(1);
  }

  @Test
  void priorityOutOfRangeIsRefused() {
    for (int p : new int[] {0, 11, -5}) {
      InvalidRequestException e = refusedWithoutTrace(InvalidRequestException.class,
          () -> jobs.create(JobRequest.builder(A, "echo").payload("{\"text\":\"x\",\"repeat\":1}").priority(p).build()));
      assertThat(e.field()).isEqualTo("priority");
      assertThat(e.getMessage()).contains("1-10").contains(String.valueOf(p));
    }
  }

  @Test
  void maxAttemptsOutOfRangeIsRefused() {
    InvalidRequestException e = refusedWithoutTrace(InvalidRequestException.class,
        () -> jobs.create(JobRequest.builder(A, "echo").payload("{\"text\":\"x\",\"repeat\":1}").maxAttempts(0).build()));
    assertThat(e.field()).isEqualTo("maxAttempts");
  }

  @Test
  void blankOwnerIsRefused() {
    InvalidRequestException e = refusedWithoutTrace(InvalidRequestException.class, () -> jobs.create(echo("  ")));
    assertThat(e.field()).isEqualTo("ownerId");
  }

  @Test
  void badIdempotencyKeyIsRefused() {
    InvalidRequestException e = refusedWithoutTrace(InvalidRequestException.class,
        () -> jobs.create(JobRequest.builder(A, "echo").payload("{\"text\":\"x\",\"repeat\":1}").idempotencyKey("k".repeat(201)).build()));
    assertThat(e.field()).isEqualTo("idempotencyKey");
  }

  @Test
  void idempotencyKeyReturnsTheFirstJobAndRefusesAnotherPayload() {
    JobRequest first = JobRequest.builder(A, "echo").payload("{\"text\":\"x\",\"repeat\":1}").idempotencyKey("order-7").build();
    Job job = jobs.create(first);
    Job again = jobs.create(JobRequest.builder(A, "echo").payload("{\"repeat\":1, \"text\":\"x\"}").idempotencyKey("order-7").build());
    assertThat(again.id()).isEqualTo(job.id());
    if (quotas()) {
      assertThat(store.quotaWindow(A).lastDay()).as("a replay uses no quota").isEqualTo(1);
    }
    IdempotencyConflictException e = refusedWithoutTrace(IdempotencyConflictException.class,
        () -> jobs.create(JobRequest.builder(A, "echo").payload("{\"text\":\"y\",\"repeat\":1}").idempotencyKey("order-7").build()));
    assertThat(e.existingJobId()).isEqualTo(job.id());
    assertThat(e.idempotencyKey()).isEqualTo("order-7");
  }

  @Test
  void moderatedPromptIsRefusedWithCategories() {
    ContentRejectedException e = refusedWithoutTrace(ContentRejectedException.class,
        () -> jobs.create(echo(A, "{\"text\":\"a MASSACRE scene\",\"repeat\":1}")));
    assertThat(e.categories()).containsExactly("violence");
    assertThat(e.getMessage()).contains("violence");
  }

  @Test
  @RequiresCapability(StoreCapability.QUOTAS)
  void quotaExceededStoresNothing() {
    for (int i = 0; i < 10; i++) {
      jobs.create(echo(A));
    }
    int eventsBefore = storedJobs();
    assertThatThrownBy(() -> jobs.create(echo(A)))
        .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
          assertThat(e.limit()).isEqualTo(QuotaExceededException.Limit.PER_HOUR);
          assertThat(e.limitValue()).isEqualTo(10);
          assertThat(e.retryAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        });
    assertThat(storedJobs()).isEqualTo(eventsBefore);
    clock.advance(Duration.ofHours(1).plusSeconds(1));
    assertThat(jobs.create(echo(A)).status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  @RequiresCapability(StoreCapability.QUOTAS)
  void aOneAMinuteQuotaAllowsOneCreateAMinute() {
    jobs.close();
    jobs = manager(QuotaPolicy.perOwner(10, 100, Duration.ofMinutes(1)), b -> {});
    jobs.create(echo(A));
    assertThatThrownBy(() -> jobs.create(echo(A)))
        .isInstanceOfSatisfying(QuotaExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(QuotaExceededException.Limit.MIN_INTERVAL));
    jobs.create(echo(B)); // another owner is not affected
    clock.advance(Duration.ofMinutes(1));
    jobs.create(echo(A));
  }

  @Test
  @RequiresCapability(StoreCapability.QUOTAS)
  void quotaUsageAndReset() {
    jobs.create(echo(A));
    jobs.create(echo(A));
    QuotaUsage usage = jobs.quotaUsage(A);
    assertThat(usage.usedLastHour()).isEqualTo(2);
    assertThat(usage.usedLastDay()).isEqualTo(2);
    assertThat(usage.limits().maxPerHour()).isEqualTo(10);
    assertThat(usage.nextCreateAllowedAt()).isEqualTo(clock.instant());
    jobs.resetQuota(A);
    assertThat(jobs.quotaUsage(A).usedLastHour()).isZero();
    assertThat(storedJobs()).isEqualTo(2); // resetting quota does not delete jobs
  }

  @Test
  @RequiresCapability(StoreCapability.QUOTAS)
  void createAllIsAllOrNothing() {
    List<JobRequest> batch = List.of(echo(A), echo(A, "{\"text\":\"x\",\"repeat\":42}"), echo(B));
    InvalidPayloadException e = refusedWithoutTrace(InvalidPayloadException.class, () -> jobs.createAll(batch));
    assertThat(e.getMessage()).startsWith("request 1: ");
    List<JobRequest> overQuota = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      overQuota.add(echo(A));
    }
    refusedWithoutTrace(QuotaExceededException.class, () -> jobs.createAll(overQuota));
    List<Job> created = jobs.createAll(List.of(echo(A), echo(B), echo(A)));
    assertThat(created).extracting(Job::ownerId).containsExactly(A, B, A);
    assertThat(store.quotaWindow(A).lastHour()).isEqualTo(2);
  }

  // ------------------------------------------------------------------ owners

  @Test
  void anotherOwnersJobAnswersExactlyLikeAnUnknownOne() {
    Job job = jobs.create(echo(A));
    UUID unknown = UUID.randomUUID();
    JobNotFoundException foreign = catchNotFound(() -> jobs.get(B, job.id()));
    JobNotFoundException missing = catchNotFound(() -> jobs.get(B, unknown));
    assertThat(foreign.getMessage().replace(job.id().toString(), "ID"))
        .isEqualTo(missing.getMessage().replace(unknown.toString(), "ID"));
    assertThat(jobs.find(B, job.id())).isEmpty();
    catchNotFound(() -> jobs.cancel(B, job.id()));
    catchNotFound(() -> jobs.updateProgress(B, job.id(), 10, null));
    assertThat(jobs.list(JobQuery.forOwner(B).build()).items()).isEmpty();
    if (Capabilities.has(store, StoreCapability.STATISTICS)) {
      assertThat(jobs.stats(B)).isEmpty();
    }
    assertThat(jobs.get(A, job.id()).status()).isEqualTo(JobStatus.PENDING);
  }

  private static JobNotFoundException catchNotFound(ThrowingCallable call) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(JobNotFoundException.class);
    return (JobNotFoundException) t;
  }

  @Test
  void listNeedsAnOwner() {
    assertThatThrownBy(() -> jobs.list(JobQuery.allOwners().build()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("ownerId"));
  }

  @Test
  void aSubscriptionResumedAfterTheLastSequenceSeenGetsTheRestOfItsOwnersEventsOnly() throws Exception {
    EventRecorder first = new EventRecorder();
    long resumeAfter;
    try (Subscription s = jobs.subscribe(A, first)) {
      Job seen = jobs.create(echo(A));
      resumeAfter = first.await(seen.id(), JobEvent.Kind.CREATED, WAIT).sequence();
    }
    Job missed = jobs.create(echo(A));
    Job others = jobs.create(echo(B));
    jobs.cancel(A, missed.id());
    jobs.cancel(B, others.id());

    List<JobEvent> read = jobs.readEvents(A, resumeAfter, 10);
    EventRecorder resumed = new EventRecorder();
    try (Subscription s = jobs.subscribe(A, resumeAfter, resumed)) {
      assertThat(s.startedAfter()).isEqualTo(resumeAfter);
      resumed.await(missed.id(), JobEvent.Kind.CANCELLED, WAIT);
      Job live = jobs.create(echo(A));
      resumed.await(live.id(), JobEvent.Kind.CREATED, WAIT);
      assertThat(resumed.events()).extracting(JobEvent::jobId).containsExactly(missed.id(), missed.id(), live.id());
      assertThat(resumed.events().subList(0, 2)).isEqualTo(read);
    }
  }

  @Test
  void readingAndResumingEventsCheckTheirArguments() {
    jobs.create(echo(A));
    for (int bad : new int[] {0, -1, 1001}) {
      assertThatThrownBy(() -> jobs.readEvents(A, 0, bad))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("limit"));
    }
    assertThatThrownBy(() -> jobs.readEvents(A, -1, 10))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("after"));
    assertThatThrownBy(() -> jobs.subscribe(A, -1, e -> {}))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("after"));
    assertThatThrownBy(() -> jobs.subscribe(A, Long.MAX_VALUE, e -> {}))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("after"));
    assertThatThrownBy(() -> jobs.readEvents(" ", 0, 10)).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> jobs.readEvents("bad\u0000owner", 0, 10)).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void pruneEventsDeletesWhatIsOlderThanTheRetentionAndAResumeBeforeItIsPruned() {
    Job old = jobs.create(echo(A));
    long before = jobs.readEvents(A, 0, 10).get(0).sequence() - 1;
    clock.advance(jobs.eventRetention().plusMinutes(1));
    Job young = jobs.create(echo(A));
    assertThat(jobs.pruneEvents()).isPositive();
    assertThatThrownBy(() -> jobs.subscribe(A, before, e -> {})).isInstanceOf(EventsPrunedException.class);
    assertThatThrownBy(() -> jobs.readEvents(A, before, 10)).isInstanceOf(EventsPrunedException.class);
    long oldest;
    try {
      jobs.readEvents(A, before, 10);
      throw new AssertionError("unreachable");
    } catch (EventsPrunedException e) {
      oldest = e.oldestAvailableAfter();
    }
    assertThat(jobs.readEvents(A, oldest, 10)).extracting(JobEvent::jobId).containsExactly(young.id()).doesNotContain(old.id());
  }

  @Test
  void subscribersSeeOnlyTheirOwnersEvents() throws Exception {
    EventRecorder aliceEvents = new EventRecorder();
    EventRecorder bobEvents = new EventRecorder();
    try (Subscription sa = jobs.subscribe(A, aliceEvents); Subscription sb = jobs.subscribe(B, bobEvents)) {
      Job a = jobs.create(echo(A));
      Job b = jobs.create(echo(B));
      jobs.cancel(A, a.id());
      aliceEvents.await(e -> e.jobId().equals(a.id()) && e.kind() == JobEvent.Kind.CANCELLED, WAIT, "alice cancelled");
      bobEvents.await(e -> e.jobId().equals(b.id()), WAIT, "bob created");
      allEvents.await(e -> e.jobId().equals(a.id()) && e.kind() == JobEvent.Kind.CANCELLED, WAIT, "all: cancelled");
      assertThat(aliceEvents.events()).allMatch(e -> e.ownerId().equals(A));
      assertThat(bobEvents.events()).allMatch(e -> e.ownerId().equals(B));
      assertThat(aliceEvents.kindsOf(a.id())).containsExactly(JobEvent.Kind.CREATED, JobEvent.Kind.CANCELLED);
    }
  }

  @Test
  void aSlowSubscriberIsDroppedWithAMessageAndOthersKeepReceiving() throws Exception {
    jobs.close();
    jobs = manager(QuotaPolicy.unlimited(), b -> b.subscriberQueueCapacity(5));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch dropped = new CountDownLatch(1);
    List<String> reasons = new ArrayList<>();
    EventRecorder fast = new EventRecorder();
    JobEventListener slow = new JobEventListener() {
      @Override
      public void onEvent(JobEvent event) {
        try {
          release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onDropped(String reason) {
        synchronized (reasons) {
          reasons.add(reason);
        }
        dropped.countDown();
      }
    };
    try (Subscription s1 = jobs.subscribe(A, slow); Subscription s2 = jobs.subscribe(A, fast)) {
      List<Job> created = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        // one at a time, so that the fast subscriber keeps up and only the slow one falls behind
        Job job = jobs.create(echo(A));
        created.add(job);
        fast.await(e -> e.jobId().equals(job.id()), WAIT, "event of job " + i);
      }
      assertThat(dropped.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      release.countDown();
      fast.await(e -> e.jobId().equals(created.get(29).id()), WAIT, "last job's event");
      assertThat(fast.events()).hasSize(30);
      synchronized (reasons) {
        assertThat(reasons).singleElement().asString().contains("fell 5 events behind");
      }
    }
  }

  // ------------------------------------------------------------------ progress, cancel

  @Test
  void progressThroughTheManagerIsCheckedAndScoped() {
    Job job = jobs.create(echo(A));
    assertThatThrownBy(() -> jobs.updateProgress(A, job.id(), 10, null)).isInstanceOf(IllegalJobStateException.class);
    Job running = store.claim(new ClaimRequest("w", Set.of("echo"), 1, Duration.ofMinutes(1))).get(0);
    assertThat(jobs.updateProgress(A, job.id(), 40, "drawing").progress()).isEqualTo(40);
    for (int bad : new int[] {-1, 101}) {
      assertThatThrownBy(() -> jobs.updateProgress(A, job.id(), bad, null))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("progress"));
    }
    assertThatThrownBy(() -> jobs.updateProgress(A, job.id(), 39, null))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getMessage()).contains("backwards"));
    Job now = jobs.get(A, job.id());
    assertThat(now.progress()).isEqualTo(40);
    assertThat(now.progressMessage()).isEqualTo("drawing");
    store.complete(new Completion(Lease.of(running), "{}", Duration.ofSeconds(1)));
  }

  @Test
  void cancellingAFinishedJobIsAConflict() {
    Job job = jobs.create(echo(A));
    jobs.cancel(A, job.id());
    assertThatThrownBy(() -> jobs.cancel(A, job.id()))
        .isInstanceOfSatisfying(IllegalJobStateException.class, e -> {
          assertThat(e.status()).isEqualTo(JobStatus.CANCELLED);
          assertThat(e.jobId()).isEqualTo(job.id());
        });
  }

  // ------------------------------------------------------------------ learning, stats, cleanup

  @Test
  @RequiresCapability(StoreCapability.STATISTICS)
  void estimatedDurationIsLearnedFromRecentRuns() {
    jobs.close();
    jobs = manager(QuotaPolicy.unlimited(), b -> b.durationLearning(10, 3, Duration.ZERO));
    assertThat(jobs.create(echo(A)).estimatedDuration()).isEqualTo(Duration.ofSeconds(7));
    for (int i = 0; i < 3; i++) {
      jobs.create(echo(A));
    }
    List<Job> running = store.claim(new ClaimRequest("w", Set.of("echo"), 3, Duration.ofMinutes(1)));
    int[] durations = {2, 3, 100};
    for (int i = 0; i < running.size(); i++) {
      store.complete(new Completion(Lease.of(running.get(i)), "{}", Duration.ofSeconds(durations[i])));
    }
    assertThat(jobs.create(echo(A)).estimatedDuration()).isEqualTo(Duration.ofSeconds(3)); // the median
  }

  @Test
  @RequiresCapability(StoreCapability.STATISTICS)
  void statsAreScopedByOwner() {
    jobs.create(echo(A));
    jobs.create(echo(A));
    jobs.create(echo(B));
    Job running = store.claim(new ClaimRequest("w", Set.of("echo"), 1, Duration.ofMinutes(1))).get(0);
    store.complete(new Completion(Lease.of(running), "{}", Duration.ofSeconds(4)));
    JobStats all = jobs.stats().get(0);
    assertThat(all.total()).isEqualTo(3);
    assertThat(all.completed()).isEqualTo(1);
    assertThat(all.successRate()).isEqualTo(1.0);
    JobStats bob = jobs.stats(B).get(0);
    assertThat(bob.total()).isEqualTo(1);
  }

  @Test
  void cleanupDeletesOnlyOldFinishedJobs() {
    Job old = jobs.create(echo(A));
    jobs.cancel(A, old.id());
    clock.advance(Duration.ofDays(8));
    Job recent = jobs.create(echo(A));
    jobs.cancel(A, recent.id());
    Job pending = jobs.create(echo(A));
    clock.advance(Duration.ofDays(1));
    assertThat(jobs.cleanup(Duration.ofDays(7))).isEqualTo(1);
    assertThat(jobs.find(A, old.id())).isEmpty();
    assertThat(jobs.find(A, recent.id())).isPresent();
    assertThat(jobs.find(A, pending.id())).isPresent();
    assertThatThrownBy(() -> jobs.cleanup(Duration.ofDays(-1))).isInstanceOf(InvalidRequestException.class);
  }

  /** A moderator that records every call, so that a test sees which creates cost one. */
  private static final class CountingModerator implements dev.asyncjobs.ContentModerator {
    final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    final KeywordContentModerator rules = KeywordContentModerator.builder().block("violence", "violence").build();

    @Override
    public dev.asyncjobs.ModerationResult moderate(String ownerId, String type, List<String> texts) {
      calls.incrementAndGet();
      return rules.moderate(ownerId, type, texts);
    }
  }

  /** Security review, finding 7: the cheap local checks come before any (possibly paid) moderation call. */
  @Test
  @RequiresCapability(StoreCapability.QUOTAS)
  void anOverQuotaCreateIsRefusedForItsQuotaWithoutAModerationCall() {
    CountingModerator moderator = new CountingModerator();
    try (JobManager limited = manager(owner -> new QuotaLimits(1, 100, Duration.ZERO), b -> b.moderator(moderator))) {
      limited.create(echo(A));
      assertThat(moderator.calls.get()).isEqualTo(1);
      // over quota and flagged content: the quota answers (429), the moderator is not asked
      assertThatThrownBy(() -> limited.create(echo(A, "{\"text\":\"violence\",\"repeat\":1}")))
          .isInstanceOf(QuotaExceededException.class);
      assertThatThrownBy(() -> limited.createAll(List.of(echo(B), echo(B))))
          .isInstanceOf(QuotaExceededException.class);
      assertThat(moderator.calls.get()).as("moderation calls").isEqualTo(1);
    }
  }

  @Test
  void anIdempotentReplayReturnsTheStoredJobWithoutAModerationCallAndAConflictFailsBeforeOne() {
    CountingModerator moderator = new CountingModerator();
    try (JobManager m = manager(QuotaPolicy.unlimited(), b -> b.moderator(moderator))) {
      Job first = m.create(JobRequest.builder(A, "echo").payload("{\"text\":\"hi\",\"repeat\":2}").idempotencyKey("k-1").build());
      Job again = m.create(JobRequest.builder(A, "echo").payload("{\"repeat\":2, \"text\":\"hi\"}").idempotencyKey("k-1").build());
      assertThat(again.id()).isEqualTo(first.id());
      assertThatThrownBy(() -> m.create(JobRequest.builder(A, "echo").payload("{\"text\":\"other\",\"repeat\":1}")
              .idempotencyKey("k-1").build()))
          .isInstanceOf(IdempotencyConflictException.class);
      assertThat(moderator.calls.get()).as("moderation calls: only the first create").isEqualTo(1);
      // the same key of another owner is another request
      Job bobs = m.create(JobRequest.builder(B, "echo").payload("{\"text\":\"hi\",\"repeat\":2}").idempotencyKey("k-1").build());
      assertThat(bobs.id()).isNotEqualTo(first.id());
      assertThat(moderator.calls.get()).isEqualTo(2);
    }
  }

  @Test
  void invalidPayloadsAreRefusedBeforeAModerationCall() {
    CountingModerator moderator = new CountingModerator();
    try (JobManager m = manager(QuotaPolicy.unlimited(), b -> b.moderator(moderator))) {
      assertThatThrownBy(() -> m.createAll(List.of(echo(A, "{\"text\":\"violence\",\"repeat\":1}"),
              echo(A, "{\"text\":\"hi\",\"repeat\":9}"))))
          .isInstanceOf(InvalidPayloadException.class).hasMessageStartingWith("request 1: ");
      assertThat(moderator.calls.get()).isZero();
    }
  }
}
