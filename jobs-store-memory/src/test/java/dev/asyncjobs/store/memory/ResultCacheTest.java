package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.BudgetLimits;
import dev.asyncjobs.BudgetPolicy;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobType;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.PriceTable;
import dev.asyncjobs.ResultCache;
import dev.asyncjobs.Usage;
import dev.asyncjobs.tck.MutableClock;
import java.time.Duration;
import java.util.Currency;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The result cache end to end, with a generator that counts its (paid) calls. */
class ResultCacheTest {
  /** Renders a prompt; counts calls; its results are cached for an hour. */
  static final class Renderer extends AbstractGenerator<Renderer.Prompt> {
    static final JobType<Prompt> TYPE = JobType.of("render", Prompt.class);

    record Prompt(String prompt, String style) {}

    final AtomicInteger calls = new AtomicInteger();
    private final ResultCache cache;

    Renderer(ResultCache cache) {
      super(TYPE);
      this.cache = cache;
    }

    @Override
    public ResultCache resultCache() {
      return cache;
    }

    @Override
    public Usage estimateUsage(Prompt p) {
      return Usage.of("paint-1").images(1).build();
    }

    @Override
    public Object generate(Prompt p, JobContext context) {
      context.reportUsage(Usage.of("paint-1").images(1).build());
      return Map.of("url", "https://cdn.example/" + calls.incrementAndGet() + ".png");
    }
  }

  private static JobRequest render(String owner, String payload) {
    return JobRequest.builder(owner, Renderer.TYPE.name()).payload(payload).build();
  }

  @Test
  void anIdenticalRequestIsAnsweredAtOnceWithoutAProviderCall() {
    MutableClock clock = new MutableClock();
    // EXAMPLE-BEGIN result-cache
    ResultCache cache = ResultCache.builder(Duration.ofHours(1))   // reuse results completed in the last hour
        .version("paint-1@2")                                     // change it when a new model answers differently
        .build();                                                 // results stay within their owner
    // EXAMPLE-END result-cache
    Renderer renderer = new Renderer(cache);
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(renderer).build()) {
      Job first = jobs.create(render("alice", "{\"prompt\":\"a fox\",\"style\":\"ink\"}"));
      ManualWorker.of(jobs).runDue();
      Job ran = jobs.get("alice", first.id());
      assertThat(ran.cachedFrom()).isNull();

      // The same request, its members in another order: COMPLETED at once with the same result.
      Job again = jobs.create(render("alice", "{\"style\":\"ink\",\"prompt\":\"a fox\"}"));
      assertThat(again.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(again.cachedFrom()).isEqualTo(first.id());
      assertThat(again.resultTree()).isEqualTo(ran.resultTree());
      assertThat(again.usage()).as("nothing consumed").isEqualTo(Usage.NONE);
      assertThat(ManualWorker.of(jobs).runDue()).isEmpty();
      assertThat(renderer.calls).hasValue(1);

      // Another payload, another owner, an opt-out, and an expired result all run.
      jobs.create(render("alice", "{\"prompt\":\"a fox\",\"style\":\"oil\"}"));
      jobs.create(render("bob", "{\"prompt\":\"a fox\",\"style\":\"ink\"}"));
      // EXAMPLE-BEGIN result-cache-opt-out
      JobRequest regenerate = JobRequest.builder("alice", "render")
          .payload("{\"prompt\":\"a fox\",\"style\":\"ink\"}")
          .useCache(false)                                        // run it whatever is cached
          .build();
      // EXAMPLE-END result-cache-opt-out
      Job fresh = jobs.create(regenerate);
      assertThat(fresh.status()).isEqualTo(JobStatus.PENDING);
      clock.advance(Duration.ofSeconds(1)); // it completes after the first one did
      ManualWorker.of(jobs).runDue();
      assertThat(renderer.calls).hasValue(4);
      // The regenerated result is now the one reused.
      assertThat(jobs.create(render("alice", "{\"prompt\":\"a fox\",\"style\":\"ink\"}")).cachedFrom()).isEqualTo(fresh.id());

      clock.advance(Duration.ofHours(1).plusSeconds(1));
      assertThat(jobs.create(render("alice", "{\"prompt\":\"a fox\",\"style\":\"ink\"}")).status()).isEqualTo(JobStatus.PENDING);
    }
  }

  @Test
  void sharedResultsAnswerOtherOwnersAndACachedJobReservesNoBudget() {
    MutableClock clock = new MutableClock();
    Currency usd = Currency.getInstance("USD");
    Renderer renderer = new Renderer(ResultCache.builder(Duration.ofMinutes(5)).shareableAcrossOwners(true).build());
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(renderer)
        .prices(PriceTable.builder(usd).perUnit("paint-1", Usage.Unit.IMAGES, "1").build())
        .budgetPolicy(BudgetPolicy.everyOwner(BudgetLimits.builder().costPerDay("1", usd).build())).build()) {
      jobs.create(render("alice", "{\"prompt\":\"a harbour\",\"style\":\"ink\"}"));
      ManualWorker.of(jobs).runDue();

      Job bobs = jobs.create(render("bob", "{\"prompt\":\"a harbour\",\"style\":\"ink\"}"));
      assertThat(bobs.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(bobs.budgetReserved()).isNull();
      // Bob's budget is untouched: his one image of the day is still there.
      assertThat(jobs.create(render("bob", "{\"prompt\":\"a lighthouse\",\"style\":\"ink\"}")).status()).isEqualTo(JobStatus.PENDING);
      assertThat(renderer.calls).hasValue(1);
    }
  }

  @Test
  void anIdenticalRequestWhileTheFirstRunsJoinsItAndBothCompleteFromOneCall() {
    MutableClock clock = new MutableClock();
    Currency usd = Currency.getInstance("USD");
    Renderer renderer = new Renderer(ResultCache.builder(Duration.ofHours(1)).build());
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(renderer)
        .prices(PriceTable.builder(usd).perUnit("paint-1", Usage.Unit.IMAGES, "1").build())
        .budgetPolicy(BudgetPolicy.everyOwner(BudgetLimits.builder().costPerDay("2", usd).build())).build()) {
      Job first = jobs.create(render("alice", "{\"prompt\":\"a fox\",\"style\":\"ink\"}"));
      Job second = jobs.create(render("alice", "{\"style\":\"ink\",\"prompt\":\"a fox\"}"));
      assertThat(second.waitsForAnotherJob()).isTrue();
      assertThat(second.cachedFrom()).isEqualTo(first.id());
      assertThat(second.budgetReserved()).as("it runs if the first fails, so it reserves").isNotNull();
      assertThat(jobs.budget("alice").today().cost()).isEqualByComparingTo("2");

      assertThat(ManualWorker.of(jobs).runDue()).extracting(Job::id).containsExactly(first.id());
      assertThat(renderer.calls).hasValue(1);
      Job ran = jobs.get("alice", first.id());
      Job joined = jobs.get("alice", second.id());
      assertThat(joined.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(joined.cachedFrom()).isEqualTo(first.id());
      assertThat(joined.resultTree()).isEqualTo(ran.resultTree());
      assertThat(jobs.budget("alice").today().cost()).as("the joined job spent nothing").isEqualByComparingTo("1");
      // Bob's identical request does not join alice's: results stay within their owner.
      assertThat(jobs.create(render("bob", "{\"prompt\":\"a fox\",\"style\":\"oil\"}")).cachedFrom()).isNull();
    }
  }

  @Test
  void badCacheSettingsAreConfigurationErrors() {
    assertThatThrownBy(() -> ResultCache.builder(Duration.ZERO)).isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("1 s to 365 days");
    assertThatThrownBy(() -> ResultCache.builder(Duration.ofDays(366))).isInstanceOf(JobConfigurationException.class);
    assertThatThrownBy(() -> ResultCache.builder(Duration.ofHours(1)).version("has space")).isInstanceOf(JobConfigurationException.class);
    assertThatThrownBy(() -> ResultCache.builder(Duration.ofHours(1)).version("")).isInstanceOf(JobConfigurationException.class);
  }
}
