package dev.asyncjobs.store.postgres.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database server's clock, as every process sharing a store should see it. Leases, due times,
 * rescues and quota windows compare instants written by different processes; with each process's
 * own clock, a worker whose clock runs ahead rescues healthy workers' jobs and one that runs behind
 * leaves due jobs waiting. So the store reads {@code clock_timestamp()} from the server, and in
 * between advances that reading with this JVM's monotonic clock ({@link System#nanoTime}), which no
 * change of the host's wall clock moves. The error is at most half the round trip of the reading
 * (well under a millisecond on a LAN) plus the monotonic clock's drift since it (parts per million;
 * the reading is refreshed every {@code refreshEvery}, in the background, never in the caller's
 * thread). When a refresh fails the last reading stays in use.
 */
public final class DatabaseClock extends Clock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseClock.class);

  /** One reading: the server's time at a point of this JVM's monotonic clock. */
  private record Reading(Instant serverTime, long atNanos) {}

  /** Readings per refresh; the one with the shortest round trip is kept. */
  private static final int SAMPLES = 3;
  /** The first wait after a failed refresh; it doubles up to the refresh interval. */
  private static final long FIRST_RETRY_NANOS = Duration.ofSeconds(1).toNanos();

  private final Database db;
  private final long refreshNanos;
  private final ExecutorService refresher;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  /** The largest instant handed out (nanoseconds since the epoch): time never goes back here. */
  private final AtomicLong latest = new AtomicLong(Long.MIN_VALUE);
  private volatile Reading reading;
  private volatile long nextRefreshAt;
  private volatile long retryNanos = FIRST_RETRY_NANOS;
  private volatile boolean closed;

  /** Reads the server's clock now (so the first instant is right) and then every {@code refreshEvery}. */
  public DatabaseClock(Database db, Duration refreshEvery) {
    this.db = db;
    this.refreshNanos = refreshEvery.toNanos();
    this.reading = read();
    this.nextRefreshAt = reading.atNanos() + refreshNanos;
    this.refresher = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "asyncjobs-database-clock");
      t.setDaemon(true);
      return t;
    });
  }

  private Reading read() {
    return db.run(Call.idempotent("reading the database clock"), h -> {
      // The server read its clock somewhere within the round trip: assume the middle, and keep
      // the sample with the shortest trip (the first one also pays for preparing the statement).
      Reading best = null;
      long bestTrip = Long.MAX_VALUE;
      for (int i = 0; i < SAMPLES; i++) {
        long before = System.nanoTime();
        long micros = h.createQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint").mapTo(Long.class).one();
        long after = System.nanoTime();
        if (after - before < bestTrip) {
          bestTrip = after - before;
          best = new Reading(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), before + (after - before) / 2);
        }
      }
      return Objects.requireNonNull(best);
    });
  }

  /**
   * The server's time now. Never earlier than an instant this clock returned before: a new reading
   * may differ from the old one by a fraction of a round trip (or the server's clock was stepped),
   * and ids and timestamps written by one process should not go backwards for it.
   */
  @Override
  public Instant instant() {
    Reading r = reading;
    long now = System.nanoTime();
    if (now - nextRefreshAt > 0 && !closed && refreshing.compareAndSet(false, true)) {
      try {
        refresher.execute(this::refresh);
      } catch (RejectedExecutionException shutDown) {
        refreshing.set(false);
      }
    }
    Instant t = r.serverTime().plusNanos(now - r.atNanos());
    long nanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
    long out = latest.accumulateAndGet(nanos, Math::max);
    return Instant.ofEpochSecond(0, out);
  }

  private void refresh() {
    try {
      Reading fresh = read();
      Reading old = reading;
      long drift = Duration.between(old.serverTime().plusNanos(fresh.atNanos() - old.atNanos()), fresh.serverTime()).toMillis();
      if (Math.abs(drift) > 1000) {
        LOG.warn("the database clock moved {} ms against this process's monotonic clock since the last reading", drift);
      }
      reading = fresh;
      retryNanos = FIRST_RETRY_NANOS;
      nextRefreshAt = fresh.atNanos() + refreshNanos;
    } catch (RuntimeException e) {
      long wait = retryNanos;
      retryNanos = Math.min(wait * 2, refreshNanos);
      nextRefreshAt = System.nanoTime() + wait;
      LOG.warn("could not read the database clock; keeping the last reading, trying again in {} ms: {}",
          wait / 1_000_000, e.toString());
    } finally {
      refreshing.set(false);
    }
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(ZoneOffset.UTC) ? this : new Zoned(this, zone);
  }

  @Override
  public void close() {
    closed = true;
    refresher.shutdownNow();
  }

  @Override
  public String toString() {
    return "DatabaseClock[" + reading.serverTime() + " at nanoTime " + reading.atNanos() + "]";
  }

  /** This clock seen in another zone (instants are the same). */
  private static final class Zoned extends Clock {
    private final DatabaseClock clock;
    private final ZoneId zone;

    Zoned(DatabaseClock clock, ZoneId zone) {
      this.clock = clock;
      this.zone = zone;
    }

    @Override
    public Instant instant() {
      return clock.instant();
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId other) {
      return clock.withZone(other);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Zoned z && z.clock == clock && z.zone.equals(zone);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(clock) * 31 + zone.hashCode();
    }
  }
}
