package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.Cost;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobType;
import dev.asyncjobs.ManualWorker;
import dev.asyncjobs.PriceTable;
import dev.asyncjobs.Usage;
import dev.asyncjobs.UsageReport;
import dev.asyncjobs.tck.MutableClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link JobManager#usage}: jobs of a window, their usage by type, priced with the manager's table. */
class UsageReportTest {
  private static final Currency EUR = Currency.getInstance("EUR");
  private static final PriceTable PRICES = PriceTable.builder(EUR)
      .perMillion("talk-1", Usage.Unit.INPUT_TOKENS, "1")
      .perMillion("talk-1", Usage.Unit.OUTPUT_TOKENS, "4")
      .build();

  /** Reports {@code words} output tokens and 1,000 input tokens of talk-1, and 2 images of an unpriced model. */
  static final class Talker extends AbstractGenerator<Talker.Ask> {
    static final JobType<Ask> TYPE = JobType.of("talk", Ask.class);

    record Ask(int words) {}

    Talker() {
      super(TYPE);
    }

    @Override
    public Object generate(Ask ask, JobContext context) {
      context.reportUsage(Usage.of("talk-1").inputTokens(1_000).outputTokens(ask.words()).build());
      context.reportUsage(Usage.of("paint-1").images(2).build());
      return Map.of("words", ask.words());
    }
  }

  @Test
  void aReportAddsUpAnOwnersJobsOfTheWindowAndPricesThem() {
    MutableClock clock = new MutableClock();
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore(clock)).clock(clock).generator(new Talker())
        .prices(PRICES).build()) {
      Instant from = clock.instant();
      jobs.create(JobRequest.of("alice", Talker.TYPE, new Talker.Ask(500)));
      jobs.create(JobRequest.of("alice", Talker.TYPE, new Talker.Ask(1_500)));
      jobs.create(JobRequest.of("bob", Talker.TYPE, new Talker.Ask(9_999)));
      ManualWorker.of(jobs).runDue();
      clock.advance(Duration.ofHours(1));

      UsageReport report = jobs.usage("alice", from, clock.instant());

      Usage talk = Usage.of("talk-1").inputTokens(2_000).outputTokens(2_000).build();
      Usage paint = Usage.of("paint-1").images(4).build();
      assertThat(report.types()).singleElement().satisfies(line -> {
        assertThat(line.type()).isEqualTo("talk");
        assertThat(line.jobs()).isEqualTo(2);
        assertThat(line.usage()).isEqualTo(talk.plus(paint));
      });
      // 2,000 × 1/1M + 2,000 × 4/1M = 0.002 + 0.008
      assertThat(report.total().cost()).isEqualTo(new Cost(new BigDecimal("0.01"), EUR));
      assertThat(report.total().jobs()).isEqualTo(2);
      assertThat(report.unpriced()).isEqualTo(paint);
      assertThat(jobs.usageOfAllOwners(from, clock.instant()).total().jobs()).isEqualTo(3);
      assertThat(jobs.usage("carol", from, clock.instant()).types()).isEmpty();
    }
  }

  /** One report may name any number of models, even when each job keeps at most 32. */
  @Test
  void aReportOverManyModelsIsNotCapped() {
    try (JobManager jobs = JobManager.builder().store(store).generator(new ManyModels()).build()) {
      Instant from = Instant.now().minusSeconds(5);
      jobs.create(JobRequest.of("alice", ManyModels.TYPE, new ManyModels.Ask(0)));
      jobs.create(JobRequest.of("alice", ManyModels.TYPE, new ManyModels.Ask(20)));
      ManualWorker.of(jobs).runDue();
      UsageReport report = jobs.usage("alice", from, Instant.now().plusSeconds(5));
      assertThat(report.total().usage().byModel()).hasSize(40);
      assertThat(report.unpriced().byModel()).hasSize(40);
    }
  }

  /** Reports 20 models, named from the payload's offset on. */
  static final class ManyModels extends AbstractGenerator<ManyModels.Ask> {
    static final JobType<Ask> TYPE = JobType.of("many", Ask.class);

    record Ask(int offset) {}

    ManyModels() {
      super(TYPE);
    }

    @Override
    public Object generate(Ask ask, JobContext context) {
      for (int i = 0; i < 20; i++) {
        context.reportUsage(Usage.of("model-" + (ask.offset() + i)).outputTokens(1).build());
      }
      return Map.of();
    }
  }

  @Test
  void theDocumentedPriceTable() {
    // EXAMPLE-BEGIN price-table
    PriceTable prices = PriceTable.builder(Currency.getInstance("USD"))
        .perMillion("gpt-4o-mini", Usage.Unit.INPUT_TOKENS, "0.15")   // as providers quote tokens
        .perMillion("gpt-4o-mini", Usage.Unit.OUTPUT_TOKENS, "0.60")
        .perUnit("gpt-image-1", Usage.Unit.IMAGES, "0.04")
        .build();
    JobManager jobs = JobManager.builder().store(store).generator(generator).prices(prices).build();

    UsageReport march = jobs.usage("alice", Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-01T00:00:00Z"));
    Cost spent = march.total().cost();             // an exact decimal and a currency, never a double
    Usage noPrice = march.unpriced();              // what the table has no price for (counted as 0)
    // EXAMPLE-END price-table
    jobs.close();
    assertThat(spent).isEqualTo(Cost.zero(Currency.getInstance("USD")));
    assertThat(noPrice).isEqualTo(Usage.NONE);
    assertThat(prices.costOf(Usage.of("gpt-4o-mini").inputTokens(1_234).outputTokens(567).build()
        .plus(Usage.of("gpt-image-1").images(3).build())).amount()).isEqualTo(new BigDecimal("0.1205253"));
  }

  private final InMemoryJobStore store = new InMemoryJobStore();
  private final Talker generator = new Talker();

  @Test
  void badWindowsAreRefusedWithTypedErrors() {
    try (JobManager jobs = JobManager.builder().store(new InMemoryJobStore()).generator(new Talker()).build()) {
      Instant now = Instant.parse("2026-12-03T00:00:00Z");
      assertThatThrownBy(() -> jobs.usage("alice", now, now)).isInstanceOfSatisfying(InvalidRequestException.class,
          e -> assertThat(e.field()).isEqualTo("to"));
      assertThatThrownBy(() -> jobs.usage("alice", now, now.minusSeconds(1))).hasMessageContaining("must be after its start");
      assertThatThrownBy(() -> jobs.usageOfAllOwners(now, now.plus(Duration.ofDays(401))))
          .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at most 400 days");
      assertThatThrownBy(() -> jobs.usage("", now, now.plusSeconds(1))).isInstanceOf(InvalidRequestException.class);
      assertThat(jobs.usage("alice", now, now.plusSeconds(1)).total().cost()).isEqualTo(Cost.zero(Currency.getInstance("USD")));
    }
  }
}
