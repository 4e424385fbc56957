package dev.asyncjobs.store.postgres.internal;

import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import org.jdbi.v3.core.argument.Argument;
import org.jspecify.annotations.Nullable;

/**
 * How values travel to PostgreSQL: instants as {@code timestamptz} (through {@link OffsetDateTime},
 * so the session time zone never matters), durations as microseconds, collections as arrays.
 */
public final class Binds {
  private Binds() {}

  /** {@code t} as a {@code timestamptz} parameter, or SQL NULL. */
  public static Argument instant(@Nullable Instant t) {
    return (pos, st, ctx) -> {
      if (t == null) {
        st.setNull(pos, Types.TIMESTAMP_WITH_TIMEZONE);
      } else {
        st.setObject(pos, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
      }
    };
  }

  /** {@code values} as a PostgreSQL array of {@code elementType} ({@code uuid}, {@code text}, {@code int4}, {@code int8}). */
  public static Argument array(String elementType, Collection<?> values) {
    Object[] elements = values.toArray();
    return (pos, st, ctx) -> st.setArray(pos, st.getConnection().createArrayOf(elementType, elements));
  }

  /** A duration as whole microseconds (what {@code interval} keeps), or null. */
  public static @Nullable Long micros(@Nullable Duration d) {
    if (d == null) {
      return null;
    }
    return Math.addExact(Math.multiplyExact(d.getSeconds(), 1_000_000L), d.getNano() / 1000);
  }

  /** Microseconds read back as a duration, or null. */
  public static @Nullable Duration duration(@Nullable Long micros) {
    return micros == null ? null : Duration.of(micros, ChronoUnit.MICROS);
  }

  /** {@code t} cut to the microseconds PostgreSQL keeps, so that what a store returns equals what it stored. */
  public static Instant micros(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS);
  }
}
