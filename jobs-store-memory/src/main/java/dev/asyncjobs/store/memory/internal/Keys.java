package dev.asyncjobs.store.memory.internal;

import dev.asyncjobs.spi.JobIds;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

/** The index keys of the in-memory store; each orders jobs the way one query needs. */
public final class Keys {
  private Keys() {}

  /** Claim order among due jobs: priority desc, runAt, id. */
  public record Ready(int priority, Instant runAt, UUID id) {}

  /** A time and an id: runAt of scheduled jobs, leaseUntil of running ones, finishedAt, createdAt. */
  public record Timed(Instant at, UUID id) {}

  public static final Comparator<Ready> READY_ORDER =
      Comparator.comparingInt((Ready r) -> -r.priority())
          .thenComparing(Ready::runAt)
          .thenComparing(Ready::id, JobIds.ORDER);

  public static final Comparator<Timed> TIMED_ORDER =
      Comparator.comparing(Timed::at).thenComparing(Timed::id, JobIds.ORDER);
}
