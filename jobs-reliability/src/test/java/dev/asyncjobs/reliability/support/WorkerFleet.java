package dev.asyncjobs.reliability.support;

import dev.asyncjobs.reliability.child.WorkerMain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Worker processes ({@link WorkerMain}) on one schema: started, killed with SIGKILL, replaced,
 * and all killed on {@link #close()}. Remembers the ids of the workers it killed.
 */
public final class WorkerFleet implements AutoCloseable {
  private static final Duration READY_WAIT = Duration.ofSeconds(60);

  private final Schema schema;
  private final List<String> workerOptions;
  private final Path logDir;
  private final String idPrefix;
  private final Map<String, ChildJvm> live = new LinkedHashMap<>();
  private final Set<String> killed = new LinkedHashSet<>();
  private final List<ChildJvm> all = new ArrayList<>();
  private int started;

  /**
   * A fleet whose workers are named {@code <idPrefix>-<n>} and get {@code workerOptions} (e.g.
   * {@code -Dworker.leaseMillis=2000}) besides the schema's properties.
   */
  public WorkerFleet(Schema schema, String idPrefix, List<String> workerOptions, Path logDir) {
    this.schema = schema;
    this.idPrefix = idPrefix;
    this.workerOptions = List.copyOf(workerOptions);
    this.logDir = logDir;
  }

  /** Starts one more worker and returns without waiting for it to be ready. */
  public synchronized ChildJvm startOne() {
    String id = idPrefix + "-" + (++started);
    List<String> options = new ArrayList<>(schema.childProperties());
    options.addAll(workerOptions);
    ChildJvm child = ChildJvm.start(id, WorkerMain.class, options, List.of(id), logDir);
    live.put(id, child);
    all.add(child);
    return child;
  }

  /** Starts {@code n} workers and waits until each prints READY. */
  public void startAndAwait(int n) {
    List<ChildJvm> fresh = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fresh.add(startOne());
    }
    fresh.forEach(c -> c.awaitLine(l -> l.startsWith("READY"), READY_WAIT, "READY"));
  }

  /** Kills a random live worker with SIGKILL; returns its worker id. */
  public synchronized String killRandom() {
    List<String> ids = new ArrayList<>(live.keySet());
    String victim = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
    ChildJvm child = live.remove(victim);
    killed.add(victim);
    child.kill();
    return victim;
  }

  /** Ids of the workers killed so far. */
  public synchronized Set<String> killed() {
    return Set.copyOf(killed);
  }

  /** The workers not killed, by id. */
  public synchronized Map<String, ChildJvm> live() {
    return Map.copyOf(live);
  }

  /** Every worker started, killed or not. */
  public synchronized List<ChildJvm> all() {
    return List.copyOf(all);
  }

  /** How many workers were started in all. */
  public synchronized int startedCount() {
    return started;
  }

  /** Asks every live worker to stop gracefully, waiting up to {@code timeout} for each. */
  public void stopAll(Duration timeout) {
    for (ChildJvm c : live().values()) {
      if (c.isAlive()) {
        c.send("STOP");
      }
    }
    for (ChildJvm c : live().values()) {
      c.waitFor(timeout);
    }
  }

  /** Kills every worker still running. */
  @Override
  public synchronized void close() {
    for (ChildJvm c : all) {
      c.close();
    }
  }
}
