package dev.asyncjobs.internal;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.asyncjobs.InvalidRequestException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * The ticks of a cron expression, read by cron-utils: five fields (minute to day of week, as in
 * crontab) or six with seconds first (as Spring's {@code @Scheduled} reads them). Immutable and
 * safe to share between threads.
 */
public final class CronTicks implements Ticks {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser WITH_SECONDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));

  private final ExecutionTime times;
  private final ZoneId zone;

  private CronTicks(ExecutionTime times, ZoneId zone) {
    this.times = times;
    this.zone = zone;
  }

  /**
   * {@code expression} parsed.
   *
   * @param expression five or six fields
   * @param zone the zone whose wall clock the fields are read in
   * @return its ticks
   * @throws InvalidRequestException the expression cannot be read (field {@code cron})
   */
  public static CronTicks parse(String expression, ZoneId zone) {
    String e = expression.strip();
    int fields = e.isEmpty() ? 0 : e.split("\\s+").length;
    if (fields != 5 && fields != 6) {
      throw new InvalidRequestException(
          "cron", "a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, '"
              + shown(expression) + "' has " + fields);
    }
    try {
      Cron cron = (fields == 5 ? UNIX : WITH_SECONDS).parse(e).validate();
      return new CronTicks(ExecutionTime.forCron(cron), zone);
    } catch (IllegalArgumentException | UnsupportedOperationException ex) {
      throw new InvalidRequestException(
          "cron", "cron expression '" + shown(expression) + "' cannot be read: " + ex.getMessage());
    }
  }

  /** The expression as an error message shows it: at most 100 characters. */
  private static String shown(String expression) {
    return expression.length() <= 100 ? expression : expression.substring(0, 100) + "...";
  }

  @Override
  public Optional<Instant> next(Instant after) {
    return times.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant);
  }

  @Override
  public Optional<Instant> last(Instant before) {
    return times.lastExecution(ZonedDateTime.ofInstant(before, zone)).map(ZonedDateTime::toInstant);
  }
}
