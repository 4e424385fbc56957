package dev.asyncjobs.examples.demo;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code text_generation}: writes a short piece around the prompt's key words. Payload and result
 * have the shape of the OpenAI text generator's, with {@code "demo": true}.
 */
public final class TextGenerationDemo extends AbstractGenerator<TextGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "text_generation";

  private static final List<String> KINDS =
      List.of("article", "blog_post", "email", "social_post", "product_description", "summary", "ad_copy", "story");
  private static final List<String> TONES =
      List.of("neutral", "professional", "friendly", "casual", "formal", "persuasive", "humorous", "enthusiastic",
          "empathetic");
  private static final Map<String, Integer> WORDS = Map.of("short", 100, "medium", 300, "long", 800);
  private static final List<String> LENGTHS = List.of("short", "medium", "long");
  private static final List<String> STAGES =
      List.of("reading the prompt", "planning", "drafting", "drafting", "drafting", "editing", "checking facts",
          "polishing");
  private static final List<String> SENTENCES =
      List.of(
          "%s is easier to picture once it is broken into small, concrete parts.",
          "A good place to start is %s, and how it connects to %s.",
          "It helps to see %s as a series of choices rather than one decision.",
          "In practice, %s rewards patience and careful observation.",
          "People who know %s well tend to begin with the simplest version of %s.",
          "The short version: keep %s simple, try it early, and adjust as you learn.");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public TextGenerationDemo(DemoSettings settings) {
    super(JobType.of(TYPE, Payload.class));
    this.settings = settings;
  }

  /**
   * What to write.
   *
   * @param prompt the request (required, at most 8,000 characters)
   * @param kind article (default), blog_post, email, social_post, product_description, summary,
   *     ad_copy or story
   * @param tone neutral (default), professional, friendly, casual, formal, persuasive, humorous,
   *     enthusiastic or empathetic
   * @param audience who reads it, at most 200 characters
   * @param length short (about 100 words), medium (300, default) or long (800)
   */
  public record Payload(
      @Nullable String prompt, @Nullable String kind, @Nullable String tone, @Nullable String audience,
      @Nullable String length) {}

  /**
   * Token counts, as a text model reports them.
   *
   * @param promptTokens tokens read
   * @param completionTokens tokens written
   * @param totalTokens both
   */
  public record Usage(long promptTokens, long completionTokens, long totalTokens) {}

  /**
   * The result.
   *
   * @param demo always true: made offline by the demo, not by a model
   * @param text what was written
   * @param kind the kind asked for
   * @param tone the tone asked for
   * @param length the length asked for
   * @param audience the audience asked for, if any
   * @param model the demo model's name
   * @param finishReason {@code stop}
   * @param truncated always false: the demo writes less than the length allows
   * @param usage token counts (estimated)
   */
  public record Result(boolean demo, String text, String kind, String tone, String length, @Nullable String audience,
      String model, String finishReason, boolean truncated, Usage usage) {}

  @Override
  public void validate(Payload p) {
    DemoChecks.prompt(p.prompt(), 8000);
    DemoChecks.oneOf("kind", p.kind(), KINDS, "article");
    DemoChecks.oneOf("tone", p.tone(), TONES, "neutral");
    DemoChecks.optionalText("audience", p.audience(), 200);
    DemoChecks.oneOf("length", p.length(), LENGTHS, "medium");
  }

  @Override
  public Duration estimate(Payload payload) {
    return settings.duration(STAGES.size());
  }

  @Override
  public List<String> moderationText(Payload p) {
    List<String> texts = new ArrayList<>();
    if (p.prompt() != null) {
      texts.add(p.prompt());
    }
    if (p.audience() != null) {
      texts.add(p.audience());
    }
    return texts;
  }

  @Override
  public Object generate(Payload p, JobContext context) {
    String prompt = DemoChecks.prompt(p.prompt(), 8000);
    String kind = DemoChecks.oneOf("kind", p.kind(), KINDS, "article");
    String tone = DemoChecks.oneOf("tone", p.tone(), TONES, "neutral");
    String audience = DemoChecks.optionalText("audience", p.audience(), 200);
    String length = DemoChecks.oneOf("length", p.length(), LENGTHS, "medium");
    String text = compose(prompt, tone, audience, WORDS.get(length));
    // Reading and planning as stages, then the text streamed word by word over the drafting
    // stages (so the JobTracker page shows it appear), then editing and polishing.
    int drafting = STAGES.indexOf("drafting");
    int drafts = (int) STAGES.stream().filter("drafting"::equals).count();
    DemoStages.run(context, settings, STAGES, 0, drafting);
    DemoStages.stream(context, settings, text, drafts, drafting * 100 / STAGES.size(), (drafting + drafts) * 100 / STAGES.size());
    DemoStages.run(context, settings, STAGES, drafting + drafts, STAGES.size());
    context.progress(99, "finishing");
    long promptTokens = Math.max(1, prompt.length() / 4);
    long completionTokens = Math.max(1, text.length() / 4);
    // As a provider's generator reports what it was billed (here: what the demo model "read" and "wrote").
    context.reportUsage(dev.asyncjobs.Usage.of("demo-text-1").inputTokens(promptTokens).outputTokens(completionTokens).build());
    return new Result(true, text, kind, tone, length, audience, "demo-text-1", "stop", false,
        new Usage(promptTokens, completionTokens, promptTokens + completionTokens));
  }

  private static String compose(String prompt, String tone, @Nullable String audience, int words) {
    List<String> keys = keywords(prompt);
    StringBuilder text = new StringBuilder(
        switch (tone) {
          case "friendly", "casual", "enthusiastic" -> "Happy to help with this!";
          case "formal", "professional" -> "The following note addresses the request.";
          default -> "Here is a short answer.";
        });
    if (audience != null) {
      text.append(" Written for ").append(audience).append('.');
    }
    // About one sentence per 15 words asked for, each template at most once: the demo does not pad.
    int sentences = Math.min(SENTENCES.size(), Math.max(3, words / 15));
    for (int i = 0; i < sentences; i++) {
      String sentence = String.format(Locale.ROOT, SENTENCES.get(i), keys.get(i % keys.size()),
          keys.get((i + 1) % keys.size()));
      text.append(' ').append(Character.toUpperCase(sentence.charAt(0))).append(sentence.substring(1));
    }
    return text.toString();
  }

  private static List<String> keywords(String prompt) {
    List<String> words =
        new ArrayList<>(Arrays.stream(prompt.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
            .filter(w -> w.length() > 3)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .limit(4)
            .toList());
    if (words.isEmpty()) {
      words.add("the topic");
    }
    return words;
  }
}
