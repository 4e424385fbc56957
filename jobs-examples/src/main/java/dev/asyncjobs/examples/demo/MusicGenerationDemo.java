package dev.asyncjobs.examples.demo;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * {@code music_generation}: composes a track's structure (sections, tempo, key) and a waveform
 * outline. No audio file is rendered.
 */
public final class MusicGenerationDemo implements Generator<MusicGenerationDemo.Payload> {
  /** The job type. */
  public static final String TYPE = "music_generation";

  private static final Map<String, Integer> GENRE_BPM =
      Map.of("ambient", 70, "lofi", 85, "jazz", 120, "rock", 130, "electronic", 124, "classical", 96);
  private static final List<String> KEYS =
      List.of("C major", "A minor", "G major", "E minor", "D major", "B minor", "F major", "D minor");
  private static final List<String> STAGES =
      List.of("reading the prompt", "choosing tempo and key", "writing the melody", "arranging",
          "synthesising stems", "synthesising stems", "mixing", "mastering", "rendering the waveform");

  private final DemoSettings settings;

  /** A generator that paces itself with {@code settings}. */
  public MusicGenerationDemo(DemoSettings settings) {
    this.settings = settings;
  }

  /**
   * What to compose.
   *
   * @param prompt the mood or scene (required)
   * @param genre one of ambient, lofi, jazz, rock, electronic, classical; default ambient
   * @param durationSeconds 5–300; default 30
   * @param bpm tempo 40–220; default the genre's usual tempo
   */
  public record Payload(
      @Nullable String prompt, @Nullable String genre, @Nullable Integer durationSeconds, @Nullable Integer bpm) {}

  /**
   * One part of the track.
   *
   * @param name intro, verse, chorus, bridge or outro
   * @param startSeconds where it starts
   */
  public record Section(String name, double startSeconds) {}

  /**
   * The result.
   *
   * @param demo always true: this is not a real model
   * @param model the demo model's name
   * @param title a title made from the prompt
   * @param genre the genre
   * @param bpm the tempo
   * @param key the musical key
   * @param durationSeconds track length
   * @param sampleRate samples per second of the (not rendered) audio
   * @param sections the structure
   * @param waveform 48 loudness values 0–1 over the track
   * @param note what the demo leaves out
   */
  public record Result(
      boolean demo, String model, String title, String genre, int bpm, String key, int durationSeconds,
      int sampleRate, List<Section> sections, List<Double> waveform, String note) {}

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
    DemoChecks.oneOf("genre", p.genre(), GENRE_BPM.keySet(), "ambient");
    DemoChecks.range("durationSeconds", p.durationSeconds(), 5, 300, 30);
    DemoChecks.range("bpm", p.bpm(), 40, 220, 90);
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
    String genre = DemoChecks.oneOf("genre", p.genre(), GENRE_BPM.keySet(), "ambient");
    int seconds = DemoChecks.range("durationSeconds", p.durationSeconds(), 5, 300, 30);
    int bpm = DemoChecks.range("bpm", p.bpm(), 40, 220, GENRE_BPM.get(genre));
    DemoStages.run(context, settings, STAGES);
    SplittableRandom r = DemoArt.random(prompt + genre);
    List<String> names = List.of("intro", "verse", "chorus", "verse", "chorus", "bridge", "outro");
    int parts = Math.max(3, Math.min(names.size(), seconds / 10));
    List<Section> sections = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      String name = i == 0 ? "intro" : i == parts - 1 ? "outro" : names.get(i);
      sections.add(new Section(name, Math.round(10.0 * seconds * i / parts) / 10.0));
    }
    List<Double> waveform = new ArrayList<>(48);
    for (int i = 0; i < 48; i++) {
      double envelope = Math.sin(Math.PI * (i + 0.5) / 48);
      waveform.add(Math.round((0.2 + 0.6 * envelope + 0.2 * r.nextDouble()) * 100) / 100.0);
    }
    String title = DemoArt.shorten(Character.toUpperCase(prompt.charAt(0)) + prompt.substring(1), 60);
    return new Result(true, "demo-music-1", title, genre, bpm, KEYS.get(r.nextInt(KEYS.size())), seconds, 44_100,
        sections, waveform, "demo: no audio file is rendered; the structure and waveform outline stand in for it");
  }
}
