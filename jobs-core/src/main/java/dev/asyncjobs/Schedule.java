package dev.asyncjobs;

import dev.asyncjobs.internal.CronTicks;
import dev.asyncjobs.internal.IntervalTicks;
import dev.asyncjobs.internal.Ticks;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A recurring job: on every tick of a cron expression or of a fixed interval, the workers sharing a
 * store create one job from the schedule's {@linkplain #job() request}. Immutable.
 *
 * <pre>{@code
 * Schedule nightly = Schedule.cron("nightly-digest", "0 30 3 * * *")   // 03:30:00 every day
 *     .zone(ZoneId.of("Europe/Berlin"))
 *     .job(JobRequest.builder("reports", "text").payload("{\"prompt\":\"Summarise the day\"}").build())
 *     .build();
 * JobSchedules.of(jobs).save(nightly);
 * }</pre>
 *
 * <p>Each tick's job carries the idempotency key {@code schedule:<name>:<tick in epoch milliseconds>}
 * and the metadata {@code asyncjobs.schedule} (the name) and {@code asyncjobs.tick} (the tick, ISO-8601),
 * so that two processes firing the same tick, or one firing it again after a crash, create one job.
 * See docs/schedules.md.
 */
public final class Schedule {
  /** The longest name of a schedule (its tick keys must fit the idempotency key's length). */
  public static final int MAX_NAME_LENGTH = 100;
  /** The shortest interval of {@link #every}. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  /** The longest interval of {@link #every}. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(366);
  /** The default of {@link Builder#misfireThreshold}. */
  public static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.ofMinutes(1);
  /** Names starting with this are the library's own (maintenance, webhook dispatch). */
  public static final String RESERVED_PREFIX = "asyncjobs.";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");

  private final String name;
  private final @Nullable String cron;
  private final @Nullable Duration interval;
  private final ZoneId zone;
  private final JobRequest job;
  private final MissedTicks missedTicks;
  private final Duration misfireThreshold;
  private final Ticks ticks;

  private Schedule(Builder b) {
    this.name = b.name;
    this.cron = b.cron;
    this.interval = b.interval;
    this.zone = b.zone;
    if (b.job == null) {
      throw new InvalidRequestException("job", "schedule " + name + " needs the job it creates on each tick: job(JobRequest)");
    }
    this.job = b.job;
    this.missedTicks = b.missedTicks;
    this.misfireThreshold = b.misfireThreshold;
    this.ticks = cron != null ? CronTicks.parse(cron, zone) : new IntervalTicks(Objects.requireNonNull(interval));
    if (ticks.next(Instant.now()).isEmpty()) {
      throw new InvalidRequestException("cron", "cron expression '" + cron + "' never fires");
    }
  }

  /**
   * {@return a builder for a schedule that ticks on a cron expression} Five fields as in crontab
   * ({@code minute hour day-of-month month day-of-week}), or six with seconds first ({@code "*&#47;10 * * * * *"}
   * every ten seconds); read in the {@linkplain Builder#zone zone}, UTC by default.
   *
   * @param name the schedule's name, unique per store: 1-{@value #MAX_NAME_LENGTH} of letters,
   *     digits, '.', '_', ':' and '-', starting with a letter or digit
   * @param expression the cron expression
   * @throws InvalidRequestException the name or the expression is not valid (field {@code name} or {@code cron})
   */
  public static Builder cron(String name, String expression) {
    Objects.requireNonNull(expression, "expression");
    CronTicks.parse(expression, ZoneOffset.UTC); // fail here, with the builder call in the trace
    return new Builder(checkName(name), expression, null);
  }

  /**
   * {@return a builder for a schedule that ticks every {@code interval}} Ticks are counted from the
   * epoch (1970-01-01T00:00Z): {@code every(Duration.ofHours(1))} ticks at each full hour, UTC.
   *
   * @param name the schedule's name (see {@link #cron})
   * @param interval at least {@link #MIN_INTERVAL}, at most {@link #MAX_INTERVAL}, in whole milliseconds
   * @throws InvalidRequestException the name or the interval is not valid (field {@code name} or {@code interval})
   */
  public static Builder every(String name, Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0 || interval.getNano() % 1_000_000 != 0) {
      throw new InvalidRequestException(
          "interval", "a schedule's interval is 1 s to 366 days in whole milliseconds, was " + interval);
    }
    return new Builder(checkName(name), null, interval);
  }

  /**
   * Checks a schedule's name, as every method taking one does.
   *
   * @param name the name
   * @return the name
   * @throws InvalidRequestException the name is not valid (field {@code name})
   */
  public static String checkName(@Nullable String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
      throw new InvalidRequestException(
          "name", "a schedule's name is 1-" + MAX_NAME_LENGTH + " of letters, digits, '.', '_', ':' and '-',"
              + " starting with a letter or digit, was " + (name == null ? "null" : shown(name)));
    }
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new InvalidRequestException("name", "schedule names starting with '" + RESERVED_PREFIX + "' are the library's own: " + name);
    }
    return name;
  }

  /** Whether {@code s} has a schedule name's characters (what {@link #checkName} checks besides length and prefix). */
  static boolean hasNameCharacters(String s) {
    return NAME.matcher(s).matches();
  }

  private static String shown(String name) {
    return "'" + (name.length() <= MAX_NAME_LENGTH ? name : name.substring(0, MAX_NAME_LENGTH) + "...") + "'";
  }

  /** {@return the schedule's name, unique per store} */
  public String name() {
    return name;
  }

  /** {@return the cron expression, if it ticks on one} */
  public Optional<String> cronExpression() {
    return Optional.ofNullable(cron);
  }

  /** {@return the fixed interval, if it ticks on one} */
  public Optional<Duration> interval() {
    return Optional.ofNullable(interval);
  }

  /** {@return the zone the cron expression is read in} */
  public ZoneId zone() {
    return zone;
  }

  /** {@return the request each tick's job is created from} */
  public JobRequest job() {
    return job;
  }

  /** {@return what is done with ticks missed by more than the misfire threshold} */
  public MissedTicks missedTicks() {
    return missedTicks;
  }

  /** {@return how late a tick may be fired and still count as on time} */
  public Duration misfireThreshold() {
    return misfireThreshold;
  }

  /**
   * {@return the first tick strictly after {@code after}, if the schedule ticks again}
   *
   * @param after the instant
   */
  public Optional<Instant> nextTickAfter(Instant after) {
    return ticks.next(after);
  }

  /**
   * {@return the last tick strictly before {@code before}, if there is one}
   *
   * @param before the instant
   */
  public Optional<Instant> lastTickBefore(Instant before) {
    return ticks.last(before);
  }

  /**
   * {@return the idempotency key of the job of the tick at {@code tick}}
   *
   * @param tick the tick
   */
  public String keyOf(Instant tick) {
    return "schedule:" + name + ":" + tick.toEpochMilli();
  }

  /** {@return a builder holding this schedule's settings} */
  public Builder toBuilder() {
    Builder b = new Builder(name, cron, interval);
    b.zone = zone;
    b.job = job;
    b.missedTicks = missedTicks;
    b.misfireThreshold = misfireThreshold;
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Schedule s && name.equals(s.name) && Objects.equals(cron, s.cron)
        && Objects.equals(interval, s.interval) && zone.equals(s.zone) && job.equals(s.job)
        && missedTicks == s.missedTicks && misfireThreshold.equals(s.misfireThreshold);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, cron, interval, zone, job, missedTicks, misfireThreshold);
  }

  @Override
  public String toString() {
    return "Schedule[" + name + ", " + (cron != null ? "cron '" + cron + "' " + zone : "every " + interval)
        + ", " + job.type() + " for " + job.ownerId() + ", missed " + missedTicks + "]";
  }

  /** Builds a {@link Schedule}; every setter checks its argument. */
  public static final class Builder {
    private final String name;
    private final @Nullable String cron;
    private final @Nullable Duration interval;
    private ZoneId zone = ZoneOffset.UTC;
    private @Nullable JobRequest job;
    private MissedTicks missedTicks = MissedTicks.RUN_ONCE;
    private Duration misfireThreshold = DEFAULT_MISFIRE_THRESHOLD;

    private Builder(String name, @Nullable String cron, @Nullable Duration interval) {
      this.name = name;
      this.cron = cron;
      this.interval = interval;
    }

    /**
     * The zone a cron expression's fields are read in; default UTC. A wall-clock time that a
     * daylight-saving change skips does not tick that day; one it repeats ticks once.
     *
     * @param zone the zone
     * @return this builder
     */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /**
     * The request each tick's job is created from, checked as {@link JobManager#create} checks it
     * when the schedule is saved. It names no idempotency key and no run time: the tick sets both.
     *
     * @param request the job's owner, type, payload, priority, attempts and metadata
     * @return this builder
     * @throws InvalidRequestException the request names an idempotency key or a run time
     */
    public Builder job(JobRequest request) {
      Objects.requireNonNull(request, "request");
      if (request.idempotencyKey() != null) {
        throw new InvalidRequestException("idempotencyKey", "a schedule's job gets its idempotency key from the tick; the request names one");
      }
      if (request.runAt() != null) {
        throw new InvalidRequestException("runAt", "a schedule's job runs at its tick; the request names a run time");
      }
      this.job = request;
      return this;
    }

    /**
     * What to do with ticks missed by more than the misfire threshold; default {@link MissedTicks#RUN_ONCE}.
     *
     * @param policy skip them, or run once for them
     * @return this builder
     */
    public Builder missedTicks(MissedTicks policy) {
      this.missedTicks = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * How late a tick may be fired and still count as on time, each such tick getting its own job;
     * default one minute. Ticks later than that are {@linkplain #missedTicks missed}.
     *
     * @param threshold at least one second, at most a day
     * @return this builder
     * @throws InvalidRequestException out of range (field {@code misfireThreshold})
     */
    public Builder misfireThreshold(Duration threshold) {
      Objects.requireNonNull(threshold, "threshold");
      if (threshold.compareTo(Duration.ofSeconds(1)) < 0 || threshold.compareTo(Duration.ofDays(1)) > 0) {
        throw new InvalidRequestException("misfireThreshold", "misfireThreshold is 1 s to 1 day, was " + threshold);
      }
      this.misfireThreshold = threshold;
      return this;
    }

    /**
     * {@return the schedule}
     *
     * @throws InvalidRequestException no job was given (field {@code job}), or the cron
     *     expression never fires (field {@code cron})
     */
    public Schedule build() {
      return new Schedule(this);
    }
  }
}
