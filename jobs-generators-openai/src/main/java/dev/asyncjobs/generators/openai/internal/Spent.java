package dev.asyncjobs.generators.openai.internal;

import com.openai.models.completions.CompletionUsage;
import com.openai.models.images.ImagesResponse;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.Usage;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a reply says its call spent, told to the job as soon as the reply is read: the units of the
 * model's limits ({@link Limits#report}) and the usage by model ({@link JobContext#reportUsage}).
 * Reported before the reply is checked, so that an attempt that fails afterwards (a refusal, a
 * malformed answer, a refused download) still counts what was paid. Only OpenAI's own counts are
 * reported, never an estimate.
 */
final class Spent {
  private static final Logger LOG = LoggerFactory.getLogger(Spent.class);

  private Spent() {}

  /**
   * A chat completion: its prompt tokens as input, its completion tokens as output, under the model
   * the reply names. Nothing when the reply has no {@code usage}.
   *
   * @param requested the model asked for
   * @param replied the reply's {@code model} (OpenAI names the dated snapshot that ran)
   */
  static void chat(JobContext context, String requested, @Nullable String replied, Optional<CompletionUsage> usage) {
    if (usage.isEmpty()) {
      return;
    }
    CompletionUsage u = usage.get();
    Limits.report(context, u.totalTokens());
    report(context, requested, replied, b -> b.inputTokens(u.promptTokens()).outputTokens(u.completionTokens()));
  }

  /**
   * An images reply: the images it returned and, when it counts them (the GPT image models), its
   * input and output tokens, under the model asked for (an images reply names none).
   */
  static void images(JobContext context, String model, int images, Optional<ImagesResponse.Usage> usage) {
    // The unit of an image model's limit is the image; its tokens go to the usage only.
    Limits.report(context, images);
    report(context, model, null, b -> {
      b.images(images);
      usage.ifPresent(u -> b.inputTokens(u.inputTokens()).outputTokens(u.outputTokens()));
    });
  }

  private static void report(JobContext context, String requested, @Nullable String replied, Consumer<Usage.Builder> counts) {
    Usage usage;
    try {
      Usage.Builder b = builder(requested, replied);
      counts.accept(b);
      usage = b.build();
    } catch (InvalidRequestException unusable) {
      // A name or count that Usage refuses (a compatible server's odd model name, a negative
      // count) costs the record of this call, not the job.
      LOG.warn("{}: the usage OpenAI reported for {} is not recorded: {}", context.jobId(), requested, unusable.getMessage());
      return;
    }
    if (usage.isEmpty()) {
      return;
    }
    try {
      context.reportUsage(usage);
    } catch (UnsupportedOperationException notRecorded) {
      // A host's own context, calling a generator directly: nothing keeps usage, the result stands.
    }
  }

  /** The reply's model when it names a usable one, else the model asked for. */
  private static Usage.Builder builder(String requested, @Nullable String replied) {
    if (replied != null && !replied.isBlank()) {
      try {
        return Usage.of(replied);
      } catch (InvalidRequestException notAName) {
        // Counted under the model asked for, which is what ran as far as this client knows.
      }
    }
    return Usage.of(requested);
  }
}
