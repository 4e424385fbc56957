package dev.asyncjobs.examples.demo;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** {@code text_generation}: writes a short piece around the prompt's key words. */
public final class TextGenerationDemo implements Generator<TextGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "text_generation";

  private static final Set<String> TONES = Set.of("neutral", "friendly", "formal");
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
    this.settings = settings;
  }

  /**
   * What to write.
   *
   * @param prompt the request (required)
   * @param maxWords the most words to write, 20–2000; default 120
   * @param tone {@code neutral}, {@code friendly} or {@code formal}; default neutral
   */
  public record Payload(@Nullable String prompt, @Nullable Integer maxWords, @Nullable String tone) {}

  /**
   * Token counts, as a text model reports them.
   *
   * @param promptTokens tokens read
   * @param completionTokens tokens written
   */
  public record Usage(int promptTokens, int completionTokens) {}

  /**
   * The result.
   *
   * @param demo always true: this is not a real model
   * @param model the demo model's name
   * @param text what was written
   * @param words how many words it has
   * @param finishReason {@code stop}, or {@code length} when {@code maxWords} cut it short
   * @param usage token counts
   */
  public record Result(boolean demo, String model, String text, int words, String finishReason, Usage usage) {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Class<Payload> payloadType() {
    return Payload.class;
  }

  @Override
  public void validate(Payload p) {
    DemoChecks.prompt(p.prompt());
    DemoChecks.range("maxWords", p.maxWords(), 20, 2000, 120);
    DemoChecks.oneOf("tone", p.tone(), TONES, "neutral");
  }

  @Override
  public Duration estimate(Payload payload) {
    return settings.duration(STAGES.size());
  }

  @Override
  public List<String> moderationText(Payload p) {
    return p.prompt() == null ? List.of() : List.of(p.prompt());
  }

  @Override
  public Object generate(Payload p, JobContext context) {
    String prompt = DemoChecks.prompt(p.prompt());
    int maxWords = DemoChecks.range("maxWords", p.maxWords(), 20, 2000, 120);
    String tone = DemoChecks.oneOf("tone", p.tone(), TONES, "neutral");
    DemoStages.run(context, settings, STAGES);
    List<String> words = compose(prompt, tone, maxWords);
    boolean cut = words.size() >= maxWords;
    String text = String.join(" ", words.subList(0, Math.min(words.size(), maxWords))) + (cut ? "…" : "");
    int promptTokens = Math.max(1, prompt.length() / 4);
    return new Result(true, "demo-text-1", text, Math.min(words.size(), maxWords), cut ? "length" : "stop",
        new Usage(promptTokens, Math.max(1, text.length() / 4)));
  }

  private static List<String> compose(String prompt, String tone, int maxWords) {
    List<String> keys = keywords(prompt);
    List<String> words = new ArrayList<>();
    String opening =
        switch (tone) {
          case "friendly" -> "Happy to help with this!";
          case "formal" -> "The following note addresses the request.";
          default -> "Here is a short answer.";
        };
    words.addAll(Arrays.asList(opening.split(" ")));
    // About three sentences per 40 words, each template once: the demo does not pad out long requests.
    int sentences = Math.min(SENTENCES.size(), Math.max(3, maxWords / 14));
    for (int i = 0; i < sentences; i++) {
      String template = SENTENCES.get(i % SENTENCES.size());
      String a = keys.get(i % keys.size());
      String b = keys.get((i + 1) % keys.size());
      String sentence = String.format(Locale.ROOT, template, a, b);
      sentence = Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
      words.addAll(Arrays.asList(sentence.split(" ")));
    }
    return words;
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
