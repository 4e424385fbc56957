package dev.asyncjobs.generators.openai.internal;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.asyncjobs.generators.openai.MusicCompositionResult;
import dev.asyncjobs.generators.openai.MusicGenerationPayload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code music_generation}, simulated: a chat model writes a composition sheet (title, key, tempo,
 * structure, instrumentation) as structured JSON.
 */
public final class MusicGenerator
    extends SimulatedGenerator<MusicGenerationPayload, MusicGenerator.Plan, MusicGenerator.CompositionReply> {
  /** The job type. */
  public static final String TYPE = dev.asyncjobs.generators.openai.OpenAiJobTypes.MUSIC.name();
  static final String WHAT = "music composition";
  static final int MIN_TEMPO = 40;
  static final int MAX_TEMPO = 240;

  /** A genre. */
  enum Genre implements Choice {
    POP, ROCK, JAZZ, CLASSICAL, ELECTRONIC, HIP_HOP, AMBIENT, FOLK, CINEMATIC, LOFI
  }

  /** A mood. */
  enum Mood implements Choice {
    HAPPY, SAD, CALM, ENERGETIC, DARK, ROMANTIC, EPIC, MYSTERIOUS, UPLIFTING
  }

  /** The composition sheet as the model writes it. */
  public record CompositionReply(
      @JsonPropertyDescription("the title of the piece") String title,
      @JsonPropertyDescription("the key, e.g. A minor") String key,
      @JsonPropertyDescription("beats per minute") int tempoBpm,
      @JsonPropertyDescription("e.g. 4/4") String timeSignature,
      List<SectionReply> structure,
      List<InstrumentReply> instrumentation) {}

  /** One section as the model writes it. */
  public record SectionReply(
      @JsonPropertyDescription("intro, verse, chorus, bridge, outro, …") String name,
      @JsonPropertyDescription("length in bars") int bars,
      @JsonPropertyDescription("what happens musically") String description) {}

  /** One instrument as the model writes it. */
  public record InstrumentReply(String instrument, @JsonPropertyDescription("its role, e.g. lead melody") String role) {}

  /** What a payload asks for, checked. */
  record Plan(String prompt, Genre genre, Mood mood, int durationSeconds, @Nullable Integer tempo) {}

  /** The generator for {@code model}. */
  public MusicGenerator(OpenAiBackend backend, String model) {
    super(dev.asyncjobs.generators.openai.OpenAiJobTypes.MUSIC, MusicGenerationPayload::prompt, backend, model, WHAT, CompositionReply.class, 2000);
  }

  @Override
  public Duration estimate(MusicGenerationPayload payload) {
    return Duration.ofSeconds(15);
  }

  @Override
  String instructions(Plan plan) {
    return "You are a composer and arranger. Write the composition sheet of a " + plan.mood().wire() + " "
        + plan.genre().wire().replace('_', ' ') + " piece of about " + plan.durationSeconds() + " seconds"
        + (plan.tempo() == null ? "" : " at " + plan.tempo() + " BPM")
        + ": its title, key, tempo, time signature, its sections in order with their length in bars, and the "
        + "instruments with their roles.";
  }

  @Override
  String request(Plan plan) {
    return plan.prompt();
  }

  @Override
  MusicCompositionResult postProcess(Plan plan, StructuredChat.Reply<CompositionReply> reply) {
    Replies check = new Replies(WHAT);
    CompositionReply sheet = reply.content();
    int tempo = plan.tempo() != null ? plan.tempo() : sheet.tempoBpm();
    if (tempo < MIN_TEMPO || tempo > MAX_TEMPO) {
      throw check.malformed("tempoBpm must be " + MIN_TEMPO + "-" + MAX_TEMPO + ", was " + sheet.tempoBpm());
    }
    List<MusicCompositionResult.Section> sections = new ArrayList<>();
    List<SectionReply> structure = check.nonEmpty(sheet.structure(), "structure");
    for (int i = 0; i < structure.size(); i++) {
      SectionReply s = check.present(structure.get(i), "structure[" + i + "]");
      if (s.bars() < 1) {
        throw check.malformed("structure[" + i + "].bars must be at least 1, was " + s.bars());
      }
      sections.add(new MusicCompositionResult.Section(
          check.text(s.name(), "structure[" + i + "].name"), s.bars(), check.textOrEmpty(s.description())));
    }
    List<MusicCompositionResult.Instrument> instruments = new ArrayList<>();
    List<InstrumentReply> instrumentation = check.nonEmpty(sheet.instrumentation(), "instrumentation");
    for (int i = 0; i < instrumentation.size(); i++) {
      InstrumentReply in = check.present(instrumentation.get(i), "instrumentation[" + i + "]");
      instruments.add(new MusicCompositionResult.Instrument(
          check.text(in.instrument(), "instrumentation[" + i + "].instrument"), check.textOrEmpty(in.role())));
    }
    return new MusicCompositionResult(
        true, check.text(sheet.title(), "title"), plan.genre().wire(), plan.mood().wire(), check.text(sheet.key(), "key"),
        tempo, check.text(sheet.timeSignature(), "timeSignature"), plan.durationSeconds(), sections, instruments,
        reply.model(), reply.usage());
  }

  @Override
  Plan plan(MusicGenerationPayload p) {
    String prompt = PayloadRules.requiredText("payload.prompt", p.prompt(), 4000);
    Genre genre = PayloadRules.choice("payload.genre", p.genre(), Genre.class, Genre.POP);
    Mood mood = PayloadRules.choice("payload.mood", p.mood(), Mood.class, Mood.CALM);
    int duration = PayloadRules.range("payload.durationSeconds", p.durationSeconds(), 10, 600, 120);
    Integer tempo = p.tempo() == null ? null : PayloadRules.range("payload.tempo", p.tempo(), MIN_TEMPO, MAX_TEMPO, 0);
    return new Plan(prompt, genre, mood, duration, tempo);
  }
}
