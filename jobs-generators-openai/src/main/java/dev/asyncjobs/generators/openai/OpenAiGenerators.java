package dev.asyncjobs.generators.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.asyncjobs.Generator;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.generators.openai.internal.CallRunner;
import dev.asyncjobs.generators.openai.internal.GraphicGenerator;
import dev.asyncjobs.generators.openai.internal.ImageDownloads;
import dev.asyncjobs.generators.openai.internal.ImageGenerator;
import dev.asyncjobs.generators.openai.internal.ImageModelFamily;
import dev.asyncjobs.generators.openai.internal.Limits;
import dev.asyncjobs.generators.openai.internal.Model3dGenerator;
import dev.asyncjobs.generators.openai.internal.MusicGenerator;
import dev.asyncjobs.generators.openai.internal.OpenAiBackend;
import dev.asyncjobs.generators.openai.internal.RetryAfter;
import dev.asyncjobs.generators.openai.internal.SettingsReader;
import dev.asyncjobs.generators.openai.internal.TextGenerator;
import dev.asyncjobs.generators.openai.internal.VideoGenerator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Generators for six AI job types on OpenAI (image, text, video storyboard, music sketch, 3D model spec, graphic), and OpenAI moderation, sharing one client.
 *
 * <pre>{@code
 * try (OpenAiGenerators openai = OpenAiGenerators.builder()
 *         .apiKey(System.getenv("OPENAI_API_KEY"))
 *         .artifactStore(LocalDirectoryArtifactStore.of(Path.of("artifacts")))
 *         .build()) {
 *   JobManager jobs = JobManager.builder()
 *       .store(store)
 *       .generators(openai.all())
 *       .moderator(openai.moderator())
 *       .build();
 *   ...
 * }
 * }</pre>
 *
 * <p>Each generator declares one {@linkplain Generator#resources() resource}, the model it is
 * configured with ({@link #resource(String)}: {@code openai:<model>}), estimates the units a job
 * uses (text: tokens; images: images) and reports what OpenAI counted, so that a {@link
 * dev.asyncjobs.JobLimit} on {@code openai:gpt-image-1} binds every job on that model.
 *
 * <p>A rate limit (HTTP 429 other than {@code insufficient_quota}) is a {@link
 * dev.asyncjobs.RateLimitedException} on that resource: every worker leaves the model alone for
 * the wait the response asks for ({@code retry-after-ms}, {@code Retry-After}, OpenAI's {@code
 * x-ratelimit-reset-*}, else {@link #DEFAULT_RATE_LIMIT_WAIT}), and the job waits without
 * spending an attempt. The client is built with {@code maxRetries(0)}: openai-java cannot retry
 * 5xx without retrying 429 too, and its own retries of a 429 would hide the rate limit from the
 * other workers while this one kept calling; the job runtime owns retrying. Calls are aborted
 * when their job is cancelled or their worker thread interrupted. Immutable and thread-safe;
 * {@link #close()} releases the HTTP connections and threads.
 */
public final class OpenAiGenerators implements AutoCloseable {
  /** The six job types, in the order {@link #all()} lists them. */
  public static final List<String> TYPES =
      List.of(
          ImageGenerator.TYPE, TextGenerator.TYPE, GraphicGenerator.TYPE, VideoGenerator.TYPE, MusicGenerator.TYPE,
          Model3dGenerator.TYPE);
  /** OpenAI's API. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
  /** The default model of {@code image_generation} and {@code graphic_generation}. */
  public static final String DEFAULT_IMAGE_MODEL = "dall-e-3";
  /** The default model of {@code text_generation} and of the simulated generators. */
  public static final String DEFAULT_TEXT_MODEL = "gpt-4o-mini";
  /** The default moderation model. */
  public static final String DEFAULT_MODERATION_MODEL = "omni-moderation-latest";
  /** The default time one OpenAI call may take. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
  /** The default largest image downloaded from a URL: 50 MiB ({@code openai.imageMaxBytes}). */
  public static final long DEFAULT_IMAGE_MAX_BYTES = ImageDownloads.DEFAULT_MAX_BYTES;
  /** The default time one moderation call may take (a create waits for it). */
  public static final Duration DEFAULT_MODERATION_TIMEOUT = Duration.ofSeconds(10);
  /**
   * How long a rate-limited model is left alone when OpenAI's 429 says nothing readable about when
   * to come back (no {@code retry-after-ms}, {@code Retry-After} or {@code x-ratelimit-reset-*}
   * header, or only malformed ones): 5 s.
   */
  public static final Duration DEFAULT_RATE_LIMIT_WAIT = RetryAfter.DEFAULT_RATE_LIMIT_WAIT;

  private final OpenAiBackend backend;
  private final Set<String> types;
  private final Generator<ImageGenerationPayload> image;
  private final Generator<TextGenerationPayload> text;
  private final Generator<GraphicGenerationPayload> graphic;
  private final Generator<VideoGenerationPayload> video;
  private final Generator<MusicGenerationPayload> music;
  private final Generator<Model3dGenerationPayload> model3d;
  private final OpenAiContentModerator moderator;

  private OpenAiGenerators(Builder b, String apiKey) {
    CallRunner runner = new CallRunner();
    OpenAIOkHttpClient.Builder client =
        OpenAIOkHttpClient.builder()
            .apiKey(apiKey)
            .baseUrl(b.baseUrl)
            // No SDK retries at all: it cannot skip 429s alone, and a 429 must reach the job
            // runtime, which pauses the model for every worker (see the class comment).
            .maxRetries(0)
            .timeout(b.timeout)
            .responseValidation(true)
            .addInterceptor(runner.interceptor());
    if (b.organization != null) {
      client.organization(b.organization);
    }
    if (b.project != null) {
      client.project(b.project);
    }
    OpenAIClient built = client.build();
    this.backend =
        new OpenAiBackend(
            built, runner, b.clock, b.baseUrl, b.timeout, b.artifactStore, b.imageTransfer,
            new ImageDownloads(b.imageAllowHttp, b.imageAllowPrivateAddresses, b.imageTrustedHosts, b.imageMaxBytes));
    this.types = Set.copyOf(b.types);
    this.image = new ImageGenerator(backend, b.imageModel);
    this.text = new TextGenerator(backend, b.textModel);
    this.graphic = new GraphicGenerator(backend, b.graphicModel());
    this.video = new VideoGenerator(backend, b.simulationModel());
    this.music = new MusicGenerator(backend, b.simulationModel());
    this.model3d = new Model3dGenerator(backend, b.simulationModel());
    this.moderator =
        new OpenAiContentModerator(
            built.withOptions(o -> o.timeout(b.moderationTimeout)), b.moderationModel, b.moderationFailOpen,
            b.moderationTimeout);
  }

  /**
   * The resource key the generators on {@code model} declare, for {@link
   * dev.asyncjobs.JobManager#defineLimit(dev.asyncjobs.JobLimit)}: {@code openai:<model>}, e.g.
   * {@code openai:gpt-image-1}. OpenAI limits each model on its own, so the image and graphic
   * generators share one key when they use one model, as do the text and simulated generators.
   *
   * @param model a model name, as configured ({@code openai.imageModel}, …)
   * @return {@code openai:} followed by the model name
   * @throws dev.asyncjobs.InvalidRequestException the name cannot be a limit's (whitespace, too long)
   */
  public static String resource(String model) {
    return Limits.resource(model);
  }

  /**
   * Starts a builder; {@link Builder#apiKey(String)} is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds from host settings ({@code openai.apiKey}, {@code openai.imageModel}, …; see the table in
   * {@code docs/configuration.md}), falling back to the environment variables {@code OPENAI_API_KEY}, {@code
   * OPENAI_BASE_URL}, {@code OPENAI_ORG_ID} and {@code OPENAI_PROJECT_ID}.
   *
   * @param settings the host's settings
   * @return the generators
   * @throws JobConfigurationException no API key, an unknown {@code openai.*} setting, or a bad
   *     value (the message names the setting)
   */
  public static OpenAiGenerators fromSettings(Map<String, String> settings) {
    return fromSettings(settings, System.getenv());
  }

  /**
   * As {@link #fromSettings(Map)}, reading {@code environment} instead of the process's.
   *
   * @param settings the host's settings
   * @param environment the environment variables to fall back on
   * @return the generators
   */
  public static OpenAiGenerators fromSettings(Map<String, String> settings, Map<String, String> environment) {
    return SettingsReader.read(settings, environment, builder()).build();
  }

  /**
   * {@return the generators of the configured types (default all six), in the order of {@link
   * #TYPES}}
   */
  public List<Generator<?>> all() {
    List<Generator<?>> out = new ArrayList<>();
    for (Generator<?> g : List.of(image, text, graphic, video, music, model3d)) {
      if (types.contains(g.type())) {
        out.add(g);
      }
    }
    return out;
  }

  /**
   * {@code image_generation}.
   *
   * @return the generator of {@code image_generation}
   */
  public Generator<ImageGenerationPayload> image() {
    return image;
  }

  /**
   * {@code text_generation}.
   *
   * @return the generator of {@code text_generation}
   */
  public Generator<TextGenerationPayload> text() {
    return text;
  }

  /**
   * {@code graphic_generation}.
   *
   * @return the generator of {@code graphic_generation}
   */
  public Generator<GraphicGenerationPayload> graphic() {
    return graphic;
  }

  /**
   * {@code video_generation} (simulated storyboard).
   *
   * @return the generator of {@code video_generation}
   */
  public Generator<VideoGenerationPayload> video() {
    return video;
  }

  /**
   * {@code music_generation} (simulated composition sheet).
   *
   * @return the generator of {@code music_generation}
   */
  public Generator<MusicGenerationPayload> music() {
    return music;
  }

  /**
   * {@code model3d_generation} (simulated technical specification).
   *
   * @return the generator of {@code model3d_generation}
   */
  public Generator<Model3dGenerationPayload> model3d() {
    return model3d;
  }

  /** {@return the moderator on OpenAI's moderations endpoint, sharing this client} */
  public OpenAiContentModerator moderator() {
    return moderator;
  }

  /** Closes the HTTP connections and the call threads; generators fail retryably afterwards. */
  @Override
  public void close() {
    backend.close();
  }

  /**
   * Settings of {@link OpenAiGenerators}. Every setter checks its value at once and throws {@link
   * JobConfigurationException} naming the setting (as spelled in host settings) and the value.
   */
  public static final class Builder {
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final long MIN_IMAGE_BYTES = 1024;
    private static final long MAX_IMAGE_BYTES = 512L * 1024 * 1024;
    // A host name, or an IPv4 or IPv6 literal (brackets optional); no scheme, port, path or wildcard.
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[?[0-9A-Fa-f:.]{2,45}\\]?");

    private @Nullable String apiKey;
    private String baseUrl = DEFAULT_BASE_URL;
    private @Nullable String organization;
    private @Nullable String project;
    private String imageModel = DEFAULT_IMAGE_MODEL;
    private @Nullable String graphicModel;
    private String textModel = DEFAULT_TEXT_MODEL;
    private @Nullable String simulationModel;
    private String moderationModel = DEFAULT_MODERATION_MODEL;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration moderationTimeout = DEFAULT_MODERATION_TIMEOUT;
    private boolean moderationFailOpen;
    private @Nullable ArtifactStore artifactStore;
    private ImageTransfer imageTransfer = ImageTransfer.BASE64;
    private boolean imageAllowHttp;
    private boolean imageAllowPrivateAddresses;
    private Set<String> imageTrustedHosts = Set.of();
    private long imageMaxBytes = DEFAULT_IMAGE_MAX_BYTES;
    private Clock clock = Clock.systemUTC();
    private Set<String> types = new LinkedHashSet<>(TYPES);

    private Builder() {}

    /**
     * The API key (required; {@code openai.apiKey}).
     *
     * @param key the API key
     * @return this builder
     */
    public Builder apiKey(String key) {
      if (key == null || key.isBlank() || key.chars().anyMatch(Character::isWhitespace)) {
        throw new JobConfigurationException("openai.apiKey must be a non-blank key without spaces");
      }
      this.apiKey = key;
      return this;
    }

    /**
     * The API's base URL, e.g. a proxy or a compatible server; default {@value OpenAiGenerators#DEFAULT_BASE_URL} ({@code openai.baseUrl}).
     *
     * @param url the base URL
     * @return this builder
     */
    public Builder baseUrl(String url) {
      URI uri;
      try {
        uri = URI.create(Objects.requireNonNull(url, "openai.baseUrl"));
      } catch (IllegalArgumentException e) {
        throw new JobConfigurationException("openai.baseUrl is not a URL: '" + url + "'", e);
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new JobConfigurationException("openai.baseUrl must be an absolute http(s) URL, was '" + url + "'");
      }
      this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      return this;
    }

    /**
     * The OpenAI organization id sent with each request ({@code openai.organization}).
     *
     * @param id the organization id
     * @return this builder
     */
    public Builder organization(String id) {
      this.organization = nonBlank("openai.organization", id);
      return this;
    }

    /**
     * The OpenAI project id sent with each request ({@code openai.project}).
     *
     * @param id the project id
     * @return this builder
     */
    public Builder project(String id) {
      this.project = nonBlank("openai.project", id);
      return this;
    }

    /**
     * The model of {@code image_generation}; default {@value OpenAiGenerators#DEFAULT_IMAGE_MODEL} ({@code openai.imageModel}).
     *
     * @param model the model name
     * @return this builder
     */
    public Builder imageModel(String model) {
      this.imageModel = model("openai.imageModel", model);
      return this;
    }

    /**
     * The model of {@code graphic_generation}; default the image model ({@code openai.graphicModel}).
     *
     * @param model the model name
     * @return this builder
     */
    public Builder graphicModel(String model) {
      this.graphicModel = model("openai.graphicModel", model);
      return this;
    }

    /**
     * The model of {@code text_generation}; default {@value OpenAiGenerators#DEFAULT_TEXT_MODEL} ({@code openai.textModel}).
     *
     * @param model the model name
     * @return this builder
     */
    public Builder textModel(String model) {
      this.textModel = model("openai.textModel", model);
      return this;
    }

    /**
     * The model that writes the simulated video storyboards, composition sheets and 3D specs; it
     * must support structured outputs. Default the text model ({@code openai.simulationModel}).
     *
     * @param model the model name
     * @return this builder
     */
    public Builder simulationModel(String model) {
      this.simulationModel = model("openai.simulationModel", model);
      return this;
    }

    /**
     * The moderation model; default {@value OpenAiGenerators#DEFAULT_MODERATION_MODEL} ({@code openai.moderationModel}).
     *
     * @param model the model name
     * @return this builder
     */
    public Builder moderationModel(String model) {
      this.moderationModel = model("openai.moderationModel", model);
      return this;
    }

    /**
     * How long one OpenAI call may take; default 2 min, at most 1 h ({@code openai.timeout}).
     *
     * @param timeout the timeout of one call
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = duration("openai.timeout", timeout);
      return this;
    }

    /**
     * How long one moderation call may take; default 10 s ({@code openai.moderationTimeout}).
     *
     * @param timeout the timeout of one moderation call
     * @return this builder
     */
    public Builder moderationTimeout(Duration timeout) {
      this.moderationTimeout = duration("openai.moderationTimeout", timeout);
      return this;
    }

    /**
     * Whether texts pass when the moderation endpoint cannot answer; default {@code false}: the
     * create is refused with {@link ModerationUnavailableException} ({@code openai.moderationFailOpen}).
     *
     * @param failOpen whether texts pass during an outage
     * @return this builder
     */
    public Builder moderationFailOpen(boolean failOpen) {
      this.moderationFailOpen = failOpen;
      return this;
    }

    /**
     * Keeps generated images in {@code store} and puts their location in the result; default none
     * (results carry OpenAI's expiring URLs). Required for GPT image models, which return bytes.
     *
     * @param store where images are kept
     * @return this builder
     */
    public Builder artifactStore(ArtifactStore store) {
      this.artifactStore = Objects.requireNonNull(store, "artifactStore");
      return this;
    }

    /**
     * How image bytes reach the artifact store; default {@link ImageTransfer#BASE64} ({@code openai.imageTransfer}).
     *
     * @param transfer the transfer
     * @return this builder
     */
    public Builder imageTransfer(ImageTransfer transfer) {
      this.imageTransfer = Objects.requireNonNull(transfer, "imageTransfer");
      return this;
    }

    /**
     * Whether image URLs may be plain {@code http}; default {@code false}: only {@code https} URLs
     * are downloaded, and an {@code http} one fails the job with {@link ImageDownloadRefusedException}.
     * For a local test server ({@code openai.imageAllowHttp}).
     *
     * @param allow whether {@code http} URLs are allowed
     * @return this builder
     */
    public Builder imageAllowHttp(boolean allow) {
      this.imageAllowHttp = allow;
      return this;
    }

    /**
     * Whether image URLs may point at any address; default {@code false}: a host that is, or
     * resolves to, a loopback, private, link-local, unique-local, shared (100.64/10), multicast,
     * unspecified or reserved address, or the cloud metadata address 169.254.169.254, is refused
     * with {@link ImageDownloadRefusedException}. Turn on for tests against a server on this
     * machine only; for a known internal host prefer {@link #imageTrustedHosts(Set)}
     * ({@code openai.imageAllowPrivateAddresses}).
     *
     * @param allow whether any address is allowed
     * @return this builder
     */
    public Builder imageAllowPrivateAddresses(boolean allow) {
      this.imageAllowPrivateAddresses = allow;
      return this;
    }

    /**
     * Hosts whose image URLs may resolve to non-public addresses, e.g. an internal mirror or a
     * compatible server on the local network; matched exactly, ignoring case; default none
     * ({@code openai.imageTrustedHosts}, comma-separated). Scheme rules still apply.
     *
     * @param hosts the trusted host names
     * @return this builder
     */
    public Builder imageTrustedHosts(Set<String> hosts) {
      Set<String> checked = new LinkedHashSet<>();
      for (String h : Objects.requireNonNull(hosts, "openai.imageTrustedHosts")) {
        String host = h == null ? "" : h.strip();
        if (!HOST.matcher(host).matches() || host.contains("..")) {
          throw new JobConfigurationException(
              "openai.imageTrustedHosts: '" + h + "' is not a host name or IP address (give it without scheme, port, "
                  + "path or wildcard, e.g. images.internal.example or 10.0.0.5)");
        }
        checked.add(host);
      }
      this.imageTrustedHosts = Set.copyOf(checked);
      return this;
    }

    /**
     * The largest image downloaded from a URL, in bytes; default 50 MiB, from 1 KiB to 512 MiB.
     * The download stops as soon as the body is larger, and the job fails with {@link
     * ImageDownloadRefusedException} ({@code openai.imageMaxBytes}).
     *
     * @param bytes the limit, in bytes
     * @return this builder
     */
    public Builder imageMaxBytes(long bytes) {
      if (bytes < MIN_IMAGE_BYTES || bytes > MAX_IMAGE_BYTES) {
        throw new JobConfigurationException(
            "openai.imageMaxBytes must be between " + MIN_IMAGE_BYTES + " and " + MAX_IMAGE_BYTES + " bytes, was " + bytes);
      }
      this.imageMaxBytes = bytes;
      return this;
    }

    /**
     * The clock that Retry-After dates are read against; default UTC system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Which types {@link OpenAiGenerators#all()} offers; default all six ({@code openai.types}).
     *
     * @param selected the job types, a subset of {@link OpenAiGenerators#TYPES}
     * @return this builder
     */
    public Builder types(Set<String> selected) {
      if (selected.isEmpty()) {
        throw new JobConfigurationException("openai.types must name at least one of " + TYPES + ", was empty");
      }
      for (String t : selected) {
        if (!TYPES.contains(t)) {
          throw new JobConfigurationException("openai.types: unknown type '" + t + "'; the OpenAI generators offer " + TYPES);
        }
      }
      this.types = new LinkedHashSet<>(selected);
      return this;
    }

    /**
     * The generators.
     *
     * @return the generators
     * @throws JobConfigurationException no API key, or a GPT image model without an artifact store
     */
    public OpenAiGenerators build() {
      String key = apiKey;
      if (key == null) {
        throw new JobConfigurationException(
            "openai.apiKey is not set: call OpenAiGenerators.builder().apiKey(...), or set the openai.apiKey setting "
                + "or the OPENAI_API_KEY environment variable");
      }
      requireStoreFor("openai.imageModel", imageModel);
      requireStoreFor("openai.graphicModel", graphicModel());
      return new OpenAiGenerators(this, key);
    }

    private void requireStoreFor(String setting, String model) {
      if (artifactStore == null && !ImageModelFamily.of(model).urls()) {
        throw new JobConfigurationException(
            setting + " is '" + model + "', which returns image bytes rather than URLs: configure an artifact store "
                + "(openai.artifactDir, or builder().artifactStore(...)) to keep them");
      }
    }

    private String graphicModel() {
      return graphicModel != null ? graphicModel : imageModel;
    }

    private String simulationModel() {
      return simulationModel != null ? simulationModel : textModel;
    }

    private static String model(String setting, String value) {
      if (value == null || !MODEL.matcher(value).matches()) {
        throw new JobConfigurationException(
            setting + " must be a model name (letters, digits, . _ : / -), was '" + value + "'");
      }
      return value;
    }

    private static String nonBlank(String setting, String value) {
      if (value == null || value.isBlank()) {
        throw new JobConfigurationException(setting + " must not be blank");
      }
      return value.strip();
    }

    private static Duration duration(String setting, Duration value) {
      Objects.requireNonNull(value, setting);
      if (value.isNegative() || value.isZero() || value.compareTo(MAX_TIMEOUT) > 0) {
        throw new JobConfigurationException(setting + " must be positive and at most " + MAX_TIMEOUT + ", was " + value);
      }
      return value;
    }

    @Override
    public String toString() {
      return "OpenAiGenerators.Builder[baseUrl=" + baseUrl + ", models=" + new TreeSet<>(
          List.of(imageModel, graphicModel(), textModel, simulationModel(), moderationModel)) + "]";
    }
  }
}
