package dev.asyncjobs.examples.demo;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * {@code music_generation}: composes a track sheet (key, tempo, sections, instruments) and a
 * waveform outline. No audio file is rendered, as with the OpenAI generator (whose payload and
 * result shape this one shares): the result says {@code "simulated": true} and {@code "demo": true}.
 */
public final class MusicGenerationDemo extends AbstractGenerator<MusicGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "music_generation";

  private static final List<String> GENRES =
      List.of("pop", "rock", "jazz", "classical", "electronic", "hip_hop", "ambient", "folk", "cinematic", "lofi");
  private static final Map<String, Integer> GENRE_BPM = Map.of("pop", 110, "rock", 128, "jazz", 120,
      "classical", 96, "electronic", 124, "hip_hop", 90, "ambient", 70, "folk", 100, "cinematic", 84, "lofi", 82);
  private static final List<String> MOODS =
      List.of("happy", "sad", "calm", "energetic", "dark", "romantic", "epic", "mysterious", "uplifting");
  private static final List<String> KEYS =
      List.of("C major", "A minor", "G major", "E minor", "D major", "B minor", "F major", "D minor");
  private static final List<String> STAGES =
      List.of("reading the prompt", "choosing tempo and key", "writing the melody", "arranging",
          "synthesising stems", "synthesising stems", "mixing", "mastering", "rendering the waveform");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public MusicGenerationDemo(DemoSettings settings) {
    super(JobType.of(TYPE, Payload.class));
    this.settings = settings;
  }

  /**
   * What to compose.
   *
   * @param prompt what the piece is about (required, at most 4,000 characters)
   * @param genre pop (default), rock, jazz, classical, electronic, hip_hop, ambient, folk, cinematic or lofi
   * @param mood happy, sad, calm (default), energetic, dark, romantic, epic, mysterious or uplifting
   * @param durationSeconds 10–600; default 120
   * @param tempo beats per minute, 40–240; default the genre's usual tempo
   */
  public record Payload(@Nullable String prompt, @Nullable String genre, @Nullable String mood,
      @Nullable Integer durationSeconds, @Nullable Integer tempo) {}

  /**
   * One part of the track.
   *
   * @param name intro, verse, chorus, bridge or outro
   * @param bars its length in bars
   * @param description what happens in it
   */
  public record Section(String name, int bars, String description) {}

  /**
   * An instrument.
   *
   * @param instrument e.g. electric piano
   * @param role e.g. chords
   */
  public record Instrument(String instrument, String role) {}

  /**
   * The result.
   *
   * @param demo always true: made offline by the demo, not by a model
   * @param simulated always true: no audio file was made
   * @param title a title made from the prompt
   * @param genre the genre
   * @param mood the mood
   * @param key the musical key
   * @param tempoBpm the tempo
   * @param timeSignature e.g. 4/4
   * @param durationSeconds track length
   * @param structure the sections in order
   * @param instrumentation the instruments
   * @param waveform 48 loudness values 0–1 over the track
   * @param model the demo model's name
   */
  public record Result(boolean demo, boolean simulated, String title, String genre, String mood, String key,
      int tempoBpm, String timeSignature, int durationSeconds, List<Section> structure,
      List<Instrument> instrumentation, List<Double> waveform, String model) {}

  @Override
  public void validate(Payload p) {
    DemoChecks.prompt(p.prompt(), 4000);
    DemoChecks.oneOf("genre", p.genre(), GENRES, "pop");
    DemoChecks.oneOf("mood", p.mood(), MOODS, "calm");
    DemoChecks.range("durationSeconds", p.durationSeconds(), 10, 600, 120);
    DemoChecks.range("tempo", p.tempo(), 40, 240, 100);
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
    String prompt = DemoChecks.prompt(p.prompt(), 4000);
    String genre = DemoChecks.oneOf("genre", p.genre(), GENRES, "pop");
    String mood = DemoChecks.oneOf("mood", p.mood(), MOODS, "calm");
    int seconds = DemoChecks.range("durationSeconds", p.durationSeconds(), 10, 600, 120);
    int bpm = DemoChecks.range("tempo", p.tempo(), 40, 240, GENRE_BPM.get(genre));
    DemoStages.run(context, settings, STAGES);
    SplittableRandom r = DemoArt.random(prompt + genre + mood);
    int totalBars = Math.max(4, Math.round(seconds * bpm / 60f / 4));
    List<String> names = List.of("intro", "verse", "chorus", "verse", "chorus", "bridge", "outro");
    int parts = Math.max(3, Math.min(names.size(), seconds / 20));
    List<Section> structure = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      String name = i == 0 ? "intro" : i == parts - 1 ? "outro" : names.get(i);
      int bars = totalBars / parts + (i < totalBars % parts ? 1 : 0);
      structure.add(new Section(name, bars, name + " in a " + mood + " " + genre.replace('_', ' ') + " style"));
    }
    List<Double> waveform = new ArrayList<>(48);
    for (int i = 0; i < 48; i++) {
      double envelope = Math.sin(Math.PI * (i + 0.5) / 48);
      waveform.add(Math.round((0.2 + 0.6 * envelope + 0.2 * r.nextDouble()) * 100) / 100.0);
    }
    List<Instrument> instruments = List.of(new Instrument("electric piano", "chords"),
        new Instrument("bass", "groove"), new Instrument("drums", "rhythm"), new Instrument("synth lead", "melody"));
    String title = DemoArt.shorten(Character.toUpperCase(prompt.charAt(0)) + prompt.substring(1), 60);
    return new Result(true, true, title, genre, mood, KEYS.get(r.nextInt(KEYS.size())), bpm, "4/4", seconds,
        structure, instruments, waveform, "demo-music-1");
  }
}
