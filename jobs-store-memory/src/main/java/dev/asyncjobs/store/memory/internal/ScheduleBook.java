package dev.asyncjobs.store.memory.internal;

import dev.asyncjobs.spi.ScheduleRecord;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The store's schedules, by name. Changes hold the book's lock: a skip list's compute may call its
 * function more than once, which made two of eight racers "win" one tick (the TCK caught it).
 */
public final class ScheduleBook {
  private final TreeMap<String, ScheduleRecord> byName = new TreeMap<>();

  /** {@return every schedule, in name order} */
  public synchronized List<ScheduleRecord> all() {
    return List.copyOf(byName.values());
  }

  /** Stores a new or changed schedule from {@code nextRunAt}; an unchanged one stays as it is. */
  public synchronized ScheduleRecord save(String name, String definition, Instant nextRunAt) {
    ScheduleRecord old = byName.get(name);
    if (old != null && old.definition().equals(definition)) {
      return old;
    }
    ScheduleRecord stored = new ScheduleRecord(name, definition, nextRunAt, null);
    byName.put(name, stored);
    return stored;
  }

  /** Removes one; returns whether there was one. */
  public synchronized boolean remove(String name) {
    return byName.remove(name) != null;
  }

  /** Moves {@code name} from {@code from} to {@code to} if its next run is still {@code from}. */
  public synchronized boolean advance(String name, Instant from, Instant to, @Nullable String state) {
    ScheduleRecord old = byName.get(name);
    if (old == null || !old.nextRunAt().equals(from)) {
      return false;
    }
    byName.put(name, new ScheduleRecord(name, old.definition(), to, state));
    return true;
  }

  @Override
  public synchronized String toString() {
    return "ScheduleBook" + byName.keySet();
  }
}
