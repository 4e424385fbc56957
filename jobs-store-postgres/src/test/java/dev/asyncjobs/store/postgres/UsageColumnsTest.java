package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.Usage;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.tck.MutableClock;
import dev.asyncjobs.tck.NewJobBuilder;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What V11 keeps of usage in the database: the columns hold exact sums that the database adds up
 * itself (jobs_usage_add), at sizes and scales a long or a double would not carry; a record writes
 * no event and leaves updated_at; a total Java could not read back is refused.
 */
class UsageColumnsTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();
  private final MutableClock clock = new MutableClock();
  private PostgresJobStore store;

  @BeforeEach
  void openStore() {
    store = schema.emptyStore(clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private Job running() {
    store.insert(InsertRequest.of(NewJobBuilder.newJob(clock).owner("alice").type("usage").build()));
    return store.claim(new ClaimRequest("w1", Set.of("usage"), 1, Duration.ofMinutes(5))).get(0);
  }

  private static String column(Job job, String path) {
    return schema.value("SELECT " + path + " FROM " + schema.name() + ".jobs WHERE id = '" + job.id() + "'");
  }

  @Test
  void largeAndFractionalQuantitiesAddUpExactlyInTheDatabase() {
    Job job = running();
    Usage report = Usage.of("gpt-4o").inputTokens(9_999_999_999_999L).seconds(new BigDecimal("0.0000001")).build();
    store.recordUsage(Lease.of(job), report);
    store.recordUsage(Lease.of(job), report);

    assertThat(column(job, "usage #>> '{gpt-4o,input_tokens}'")).isEqualTo("19999999999998");
    assertThat(column(job, "usage #>> '{gpt-4o,seconds}'")).isEqualTo("0.0000002");
    assertThat(column(job, "attempt_usage #>> '{1,gpt-4o,input_tokens}'")).isEqualTo("19999999999998");
    Job read = store.find(job.id()).orElseThrow();
    assertThat(read.usage().amount("gpt-4o", Usage.Unit.INPUT_TOKENS)).isEqualTo(new BigDecimal("19999999999998"));
    assertThat(read.usage().amount("gpt-4o", Usage.Unit.SECONDS)).isEqualTo(new BigDecimal("0.0000002"));
    assertThat(read.usage()).isEqualTo(report.plus(report));
    assertThat(read.attemptUsage()).containsExactly(Map.entry(1, report.plus(report)));
  }

  /** Beyond a long, and decimals a double would round (0.1 + 0.2). */
  @Test
  void quantitiesNoLongOrDoubleHoldsStayExact() {
    Job job = running();
    BigDecimal huge = new BigDecimal("123456789012345678901234567890");
    store.recordUsage(Lease.of(job), Usage.of("sora").amount(Usage.Unit.INPUT_TOKENS, huge).seconds(new BigDecimal("0.1")).build());
    store.recordUsage(Lease.of(job), Usage.of("sora").amount(Usage.Unit.INPUT_TOKENS, huge).seconds(new BigDecimal("0.2")).build());

    assertThat(column(job, "usage #>> '{sora,seconds}'")).isEqualTo("0.3");
    Usage total = store.find(job.id()).orElseThrow().usage();
    assertThat(total.amount("sora", Usage.Unit.INPUT_TOKENS)).isEqualTo(huge.add(huge));
    assertThat(total.amount("sora", Usage.Unit.SECONDS)).isEqualTo(new BigDecimal("0.3"));
  }

  /** jobs_usage_add on its own, as an operator would call it: what Usage.plus gives, read back by Usage.fromJson. */
  @Test
  void theSqlFunctionAddsAsUsagePlusDoes() {
    Usage a = Usage.of("tts-1").seconds(new BigDecimal("12.345")).build().plus(Usage.of("gpt-image-1").images(3).build());
    Usage b = Usage.of("tts-1").seconds(new BigDecimal("12.345")).build().plus(Usage.of("gpt-4o").outputTokens(7).build());
    String sum = schema.value("SELECT " + schema.name() + ".jobs_usage_add('" + a.toJson() + "', '" + b.toJson() + "')::text");
    assertThat(Usage.fromJson(sum)).isEqualTo(a.plus(b));
    assertThat(schema.value("SELECT " + schema.name() + ".jobs_usage_add(NULL, '{}')::text")).isEqualTo("{}");
    assertThat(schema.value("SELECT " + schema.name()
        + ".jobs_usage_add('{\"m\":{\"images\":0}}', '{\"n\":{\"images\":1,\"seconds\":0.0}}')::text"))
        .as("zero quantities and the models left with none are dropped").isEqualTo("{\"n\": {\"images\": 1}}");
  }

  @Test
  void aRecordWritesNoEventAndLeavesUpdatedAt() {
    Job job = running();
    String events = "(SELECT count(*) FROM " + schema.name() + ".jobs_events WHERE job_id = j.id)";
    String before = schema.value("SELECT updated_at || ' ' || " + events + " FROM " + schema.name() + ".jobs AS j WHERE id = '" + job.id() + "'");
    clock.advance(Duration.ofSeconds(3));
    store.recordUsage(Lease.of(job), Usage.of("gpt-4o").inputTokens(1).build());
    assertThat(schema.value("SELECT updated_at || ' ' || " + events + " FROM " + schema.name() + ".jobs AS j WHERE id = '" + job.id() + "'"))
        .isEqualTo(before);
  }

  /** Usage.MAX_MODELS holds for the sum too: the database refuses what Java could not read back. */
  @Test
  void aTotalOfMoreModelsThanAUsageNamesIsRefusedAndNothingIsWritten() {
    Job job = running();
    Usage many = Usage.NONE;
    for (int i = 0; i < Usage.MAX_MODELS; i++) {
      many = many.plus(Usage.of("model-" + i).images(1).build());
    }
    store.recordUsage(Lease.of(job), many);
    assertThatThrownBy(() -> store.recordUsage(Lease.of(job), Usage.of("one-more").images(1).build()))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at most 32 models")
        .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("usage"));
    assertThat(store.find(job.id()).orElseThrow().usage()).isEqualTo(many);
  }
}
