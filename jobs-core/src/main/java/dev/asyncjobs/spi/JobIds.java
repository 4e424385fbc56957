package dev.asyncjobs.spi;

import dev.asyncjobs.Job;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.UUID;

/**
 * Job ids: time-ordered UUID v7 (RFC 9562), so that new rows land at the end of an index, and the
 * one ordering of ids every store uses (unsigned, byte by byte, as PostgreSQL orders {@code uuid}).
 */
public final class JobIds {
  /** Orders ids as PostgreSQL does: unsigned, most significant bits first. */
  public static final Comparator<UUID> ORDER =
      (a, b) -> {
        int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
      };

  private static final SecureRandom RANDOM = new SecureRandom();

  private JobIds() {}

  /**
   * {@return a new UUID v7 whose time part is {@code clock.millis()}}
   *
   * @param clock the clock of the time part
   */
  public static UUID newId(Clock clock) {
    long millis = clock.millis();
    long randA = RANDOM.nextInt(1 << 12);
    long msb = (millis << 16) | (0x7L << 12) | randA;
    long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
