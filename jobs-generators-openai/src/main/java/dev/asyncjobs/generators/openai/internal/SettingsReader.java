package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.generators.openai.ImageTransfer;
import dev.asyncjobs.generators.openai.LocalDirectoryArtifactStore;
import dev.asyncjobs.generators.openai.OpenAiGenerators;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code openai.*} host settings into a builder. Settings win over the environment; an
 * {@code openai.*} key this module does not know is refused, so that a typo does not silently fall
 * back to a default.
 */
public final class SettingsReader {
  static final String API_KEY = "openai.apiKey";
  static final String BASE_URL = "openai.baseUrl";
  static final String ORGANIZATION = "openai.organization";
  static final String PROJECT = "openai.project";
  static final String IMAGE_MODEL = "openai.imageModel";
  static final String GRAPHIC_MODEL = "openai.graphicModel";
  static final String TEXT_MODEL = "openai.textModel";
  static final String SIMULATION_MODEL = "openai.simulationModel";
  static final String MODERATION_MODEL = "openai.moderationModel";
  static final String TIMEOUT = "openai.timeout";
  static final String MODERATION_TIMEOUT = "openai.moderationTimeout";
  static final String MODERATION_FAIL_OPEN = "openai.moderationFailOpen";
  static final String ARTIFACT_DIR = "openai.artifactDir";
  static final String ARTIFACT_BASE_URL = "openai.artifactBaseUrl";
  static final String IMAGE_TRANSFER = "openai.imageTransfer";
  static final String TYPES = "openai.types";
  static final String IMAGE_ALLOW_HTTP = "openai.imageAllowHttp";
  static final String IMAGE_ALLOW_PRIVATE_ADDRESSES = "openai.imageAllowPrivateAddresses";
  static final String IMAGE_TRUSTED_HOSTS = "openai.imageTrustedHosts";
  static final String IMAGE_MAX_BYTES = "openai.imageMaxBytes";

  /** Every setting this module reads. */
  public static final List<String> KEYS =
      List.of(
          API_KEY, BASE_URL, ORGANIZATION, PROJECT, IMAGE_MODEL, GRAPHIC_MODEL, TEXT_MODEL, SIMULATION_MODEL,
          MODERATION_MODEL, TIMEOUT, MODERATION_TIMEOUT, MODERATION_FAIL_OPEN, ARTIFACT_DIR, ARTIFACT_BASE_URL,
          IMAGE_TRANSFER, TYPES, IMAGE_ALLOW_HTTP, IMAGE_ALLOW_PRIVATE_ADDRESSES, IMAGE_TRUSTED_HOSTS, IMAGE_MAX_BYTES);

  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(b|kib|mib)?");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|min|h)?");

  private SettingsReader() {}

  /** Applies {@code settings}, else {@code environment}, to {@code b}. */
  public static OpenAiGenerators.Builder read(
      Map<String, String> settings, Map<String, String> environment, OpenAiGenerators.Builder b) {
    Set<String> unknown = new TreeSet<>();
    for (String key : settings.keySet()) {
      if (key.startsWith("openai.") && !KEYS.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      throw new JobConfigurationException("unknown OpenAI settings " + unknown + "; known settings: " + KEYS);
    }
    String key = value(settings, API_KEY, environment, "OPENAI_API_KEY");
    if (key != null) {
      b.apiKey(key);
    }
    apply(value(settings, BASE_URL, environment, "OPENAI_BASE_URL"), b::baseUrl);
    apply(value(settings, ORGANIZATION, environment, "OPENAI_ORG_ID"), b::organization);
    apply(value(settings, PROJECT, environment, "OPENAI_PROJECT_ID"), b::project);
    apply(value(settings, IMAGE_MODEL), b::imageModel);
    apply(value(settings, GRAPHIC_MODEL), b::graphicModel);
    apply(value(settings, TEXT_MODEL), b::textModel);
    apply(value(settings, SIMULATION_MODEL), b::simulationModel);
    apply(value(settings, MODERATION_MODEL), b::moderationModel);
    apply(value(settings, TIMEOUT), v -> b.timeout(duration(TIMEOUT, v)));
    apply(value(settings, MODERATION_TIMEOUT), v -> b.moderationTimeout(duration(MODERATION_TIMEOUT, v)));
    apply(value(settings, MODERATION_FAIL_OPEN), v -> b.moderationFailOpen(bool(MODERATION_FAIL_OPEN, v)));
    apply(value(settings, IMAGE_TRANSFER), v -> b.imageTransfer(transfer(v)));
    apply(value(settings, TYPES), v -> b.types(list(v)));
    apply(value(settings, IMAGE_ALLOW_HTTP), v -> b.imageAllowHttp(bool(IMAGE_ALLOW_HTTP, v)));
    apply(value(settings, IMAGE_ALLOW_PRIVATE_ADDRESSES),
        v -> b.imageAllowPrivateAddresses(bool(IMAGE_ALLOW_PRIVATE_ADDRESSES, v)));
    apply(value(settings, IMAGE_TRUSTED_HOSTS), v -> b.imageTrustedHosts(list(v)));
    apply(value(settings, IMAGE_MAX_BYTES), v -> b.imageMaxBytes(bytes(IMAGE_MAX_BYTES, v)));
    String dir = value(settings, ARTIFACT_DIR);
    String publicUrl = value(settings, ARTIFACT_BASE_URL);
    if (dir != null) {
      LocalDirectoryArtifactStore store = LocalDirectoryArtifactStore.of(path(dir));
      b.artifactStore(publicUrl == null ? store : store.withPublicBaseUrl(publicUrl));
    } else if (publicUrl != null) {
      throw new JobConfigurationException(ARTIFACT_BASE_URL + " needs " + ARTIFACT_DIR + " (the directory it serves)");
    }
    return b;
  }

  private static void apply(@Nullable String value, java.util.function.Consumer<String> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  private static @Nullable String value(Map<String, String> settings, String key) {
    String v = settings.get(key);
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static @Nullable String value(Map<String, String> settings, String key, Map<String, String> env, String var) {
    String v = value(settings, key);
    if (v != null) {
      return v;
    }
    String e = env.get(var);
    return e == null || e.isBlank() ? null : e.strip();
  }

  /** {@code 30}, {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, or ISO-8601 such as {@code PT30S}. */
  static Duration duration(String key, String v) {
    Matcher m = SHORT_DURATION.matcher(v.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m", "min" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
    try {
      return Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw new JobConfigurationException(
          key + " must be a duration such as 30s, 500ms, 2m or PT30S, was '" + v + "'", e);
    }
  }

  /** {@code 1048576}, {@code 1048576b}, {@code 512KiB} or {@code 50MiB}. */
  static long bytes(String key, String v) {
    Matcher m = SIZE.matcher(v.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new JobConfigurationException(key + " must be a size in bytes such as 1048576, 512KiB or 50MiB, was '" + v + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    return switch (unit) {
      case "kib" -> n * 1024;
      case "mib" -> n * 1024 * 1024;
      default -> n;
    };
  }

  private static boolean bool(String key, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new JobConfigurationException(key + " must be true or false, was '" + v + "'");
    };
  }

  private static ImageTransfer transfer(String v) {
    return switch (v.toLowerCase(Locale.ROOT).replace('-', '_')) {
      case "base64", "b64_json" -> ImageTransfer.BASE64;
      case "fetch", "fetch_url", "url" -> ImageTransfer.FETCH_URL;
      default -> throw new JobConfigurationException(IMAGE_TRANSFER + " must be base64 or fetch, was '" + v + "'");
    };
  }

  /** A comma-separated list, without blanks. */
  private static Set<String> list(String v) {
    return Arrays.stream(v.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static Path path(String dir) {
    try {
      return Path.of(dir);
    } catch (InvalidPathException e) {
      throw new JobConfigurationException(ARTIFACT_DIR + " is not a path: '" + dir + "'", e);
    }
  }
}
