package dev.asyncjobs.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.Usage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A job's usage goes out exactly as the library holds it: models, units, plain decimals. */
class UsageJsonTest {
  @Test
  void usageAndAttemptUsageAreWrittenExactly() {
    Usage first = Usage.of("gpt-4o-mini").inputTokens(812).outputTokens(240).build();
    Usage second = Usage.of("tts-1").seconds(new BigDecimal("0.0000001")).build();
    Job job = Job.builder().id(UUID.randomUUID()).ownerId("alice").type("text_generation").status(JobStatus.COMPLETED)
        .createdAt(Instant.parse("2026-12-03T10:00:00Z")).attempts(2)
        .usage(first.plus(second)).attemptUsage(Map.of(1, first, 2, second)).build();

    String written = new String(writeBytes(job), java.nio.charset.StandardCharsets.UTF_8);

    assertThat(written).contains("\"usage\":{\"gpt-4o-mini\":{\"input_tokens\":812,\"output_tokens\":240},"
        + "\"tts-1\":{\"seconds\":0.0000001}}");
    assertThat(written).contains("\"attemptUsage\":{\"1\":{\"gpt-4o-mini\":{\"input_tokens\":812,\"output_tokens\":240}},"
        + "\"2\":{\"tts-1\":{\"seconds\":0.0000001}}}");
  }

  private static byte[] writeBytes(Job job) {
    try {
      return HttpIo.MAPPER.writeValueAsBytes(JsonViews.job(job));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
  }
}
