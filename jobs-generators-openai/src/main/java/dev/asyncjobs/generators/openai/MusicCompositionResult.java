package dev.asyncjobs.generators.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The result of a {@code music_generation} job: no audio, a composition sheet a model wrote
 * ({@code "simulated": true}).
 *
 * @param simulated always {@code true}: no audio file was made
 * @param title the piece's title
 * @param genre the genre asked for
 * @param mood the mood asked for
 * @param key the key, e.g. {@code A minor}
 * @param tempoBpm beats per minute (the one asked for, when given)
 * @param timeSignature e.g. {@code 4/4}
 * @param durationSeconds the duration asked for
 * @param structure the sections in order
 * @param instrumentation the instruments and their roles
 * @param model the chat model that wrote it
 * @param usage tokens used, when OpenAI reports them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MusicCompositionResult(
    boolean simulated,
    String title,
    String genre,
    String mood,
    String key,
    int tempoBpm,
    String timeSignature,
    int durationSeconds,
    List<Section> structure,
    List<Instrument> instrumentation,
    String model,
    @Nullable TokenUsage usage) {

  /**
   * Copies the lists.
   *
   * @param simulated always {@code true}: no audio file was made
   * @param title the piece's title
   * @param genre the genre asked for
   * @param mood the mood asked for
   * @param key the key, e.g. {@code A minor}
   * @param tempoBpm beats per minute (the one asked for, when given)
   * @param timeSignature e.g. {@code 4/4}
   * @param durationSeconds the duration asked for
   * @param structure the sections in order
   * @param instrumentation the instruments and their roles
   * @param model the chat model that wrote it
   * @param usage tokens used, when OpenAI reports them
   */
  public MusicCompositionResult {
    structure = List.copyOf(structure);
    instrumentation = List.copyOf(instrumentation);
  }

  /**
   * One section of the piece.
   *
   * @param name intro, verse, chorus, …
   * @param bars its length in bars
   * @param description what happens in it
   */
  public record Section(String name, int bars, String description) {}

  /**
   * One instrument.
   *
   * @param instrument e.g. {@code electric piano}
   * @param role e.g. {@code chords}, {@code lead melody}
   */
  public record Instrument(String instrument, String role) {}
}
