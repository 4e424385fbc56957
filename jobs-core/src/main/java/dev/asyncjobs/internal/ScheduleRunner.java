package dev.asyncjobs.internal;

import dev.asyncjobs.ClusterTask;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.MissedTicks;
import dev.asyncjobs.Schedule;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.ScheduleRecord;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the store's schedules from one worker: reads them every poll interval (so that a change or
 * removal made anywhere is seen within one), and fires each due tick of the schedules whose job
 * type this process runs. A tick's job is created first, with the tick's unique key, and the
 * schedule is moved on after (compare-and-set on its next run): a crash in between fires the tick
 * again, which the key turns into the same job. Built-in {@link ClusterTask}s run on reserved
 * schedule rows the same way.
 */
public final class ScheduleRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleRunner.class);
  /** The most ticks of one schedule fired in one poll, so that a poll ends; the next goes on. */
  static final int MAX_TICKS_PER_POLL = 100;
  private static final Duration SHORTEST_WAIT = Duration.ofMillis(10);
  /** The next run of a schedule that ticks no more: far, but within every store's range. */
  static final Instant NEVER = Instant.parse("9999-12-31T00:00:00Z");

  private final JobStore store;
  private final Clock clock;
  private final Function<JobRequest, Job> create;
  private final Set<String> types;
  private final Map<String, ClusterTask> tasks;
  private final Duration pollInterval;
  private final StoreOutageLog outage;
  private final ScheduledThreadPoolExecutor timer;
  /** Decoded schedules by definition: a poll decodes only what changed. */
  private final Map<String, Schedule> decoded = new ConcurrentHashMap<>();
  /** Whether the store keeps schedules; if not, the tasks run here on their own clock. Set by start(). */
  private volatile boolean shared;
  /** Without a store that keeps schedules: when each task runs next here. */
  private final Map<String, Instant> localRuns = new ConcurrentHashMap<>();
  private volatile boolean closed;
  /** Whether the built-in tasks' rows were saved (the first poll that reaches the store does it). */
  private boolean tasksSaved;

  /**
   * @param store the store whose schedules are fired
   * @param clock the time ticks are compared with
   * @param create creates a tick's job, as {@code JobManager.create} does
   * @param types the job types this process runs: only their schedules are fired here
   * @param tasks the built-in work, by schedule name
   * @param pollInterval how often the schedules are read
   * @param workerId for the log
   * @param threads makes the runner's thread
   */
  public ScheduleRunner(JobStore store, Clock clock, Function<JobRequest, Job> create, Set<String> types,
      List<ClusterTask> tasks, Duration pollInterval, String workerId, ThreadFactory threads) {
    this.store = store;
    this.clock = clock;
    this.create = create;
    this.types = Set.copyOf(types);
    Map<String, ClusterTask> byName = new ConcurrentHashMap<>();
    tasks.forEach(t -> byName.put(t.name(), t));
    this.tasks = Map.copyOf(byName);
    this.pollInterval = pollInterval;
    this.outage = new StoreOutageLog(LOG, workerId);
    this.timer = new ScheduledThreadPoolExecutor(1, threads);
    this.timer.setRemoveOnCancelPolicy(true);
  }

  /** The definition a built-in task's row holds: its interval. */
  static String definitionOf(ClusterTask task) {
    // The name alone: a row whose definition changes loses its state, and a task's interval is
    // each process's own (the tick it moves to), so a changed interval must not wipe a cursor.
    return "{\"builtin\":\"" + task.name() + "\"}";
  }

  /** Starts polling; the first poll saves the built-in tasks' rows. */
  public void start() {
    shared = store.capabilities().contains(StoreCapability.SCHEDULES);
    if (tasks.isEmpty() && (types.isEmpty() || !shared)) {
      return; // nothing to fire here
    }
    timer.execute(this::poll);
  }

  /** Stops polling; a tick being fired finishes first. */
  public void close() {
    closed = true;
    timer.shutdown();
    try {
      if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
        timer.shutdownNow();
      }
    } catch (InterruptedException e) {
      timer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** One poll: fires what is due, then waits for the next poll or the next tick, whichever is first. */
  void poll() {
    if (closed) {
      return;
    }
    Instant wakeAt = clock.instant().plus(pollInterval);
    try {
      if (!shared) {
        wakeAt = runLocally(wakeAt);
        outage.succeeded();
        return;
      }
      if (!tasksSaved) {
        saveTasks();
        tasksSaved = true;
      }
      for (ScheduleRecord r : store.schedules()) {
        if (closed) {
          return;
        }
        Instant next = r.nextRunAt();
        if (!next.isAfter(clock.instant())) {
          next = fire(r);
        }
        if (next != null && next.isBefore(wakeAt)) {
          wakeAt = next;
        }
      }
      outage.succeeded();
    } catch (RuntimeException e) {
      outage.failed("firing schedules", e);
    } finally {
      scheduleNext(wakeAt);
    }
  }

  private void scheduleNext(Instant wakeAt) {
    if (!closed) {
      long wait = Math.max(SHORTEST_WAIT.toMillis(), Duration.between(clock.instant(), wakeAt).toMillis());
      try {
        timer.schedule(this::poll, Math.min(wait, pollInterval.toMillis()), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // close() shut the timer down meanwhile
      }
    }
  }

  /** The tasks due by this process's own clock (a store without schedules): every worker runs them. */
  private Instant runLocally(Instant wakeAt) {
    Instant earliest = wakeAt;
    for (ClusterTask t : tasks.values()) {
      Instant now = clock.instant();
      Instant due = localRuns.computeIfAbsent(t.name(), n -> new IntervalTicks(t.interval()).next(now).orElseThrow());
      if (!due.isAfter(now)) {
        localRuns.put(t.name(), new IntervalTicks(t.interval()).next(now).orElseThrow());
        try {
          t.run(null, now);
        } catch (JobStoreException e) {
          throw e;
        } catch (RuntimeException e) {
          LOG.warn("task {} failed; it runs again at its next tick", t.name(), e);
        }
      }
      Instant next = localRuns.get(t.name());
      if (next.isBefore(earliest)) {
        earliest = next;
      }
    }
    return earliest;
  }

  private void saveTasks() {
    for (ClusterTask t : tasks.values()) {
      store.saveSchedule(t.name(), definitionOf(t), new IntervalTicks(t.interval()).next(clock.instant()).orElseThrow());
    }
  }

  /** Fires the due ticks of {@code r}; returns its next run, or {@code null} if this process does not fire it. */
  private @Nullable Instant fire(ScheduleRecord r) {
    if (r.name().startsWith(Schedule.RESERVED_PREFIX)) {
      ClusterTask task = tasks.get(r.name());
      if (task == null) {
        return null; // a process that has the task runs it
      }
      try {
        return runTask(task, r);
      } catch (JobStoreException e) {
        throw e;
      } catch (RuntimeException e) {
        // One failing task must not stop the schedules and the other tasks; its tick stays due.
        LOG.warn("task {} failed; it runs again at its next tick or poll", r.name(), e);
        return clock.instant().plus(task.interval());
      }
    }
    Schedule s;
    try {
      s = decoded.computeIfAbsent(r.definition(), d -> ScheduleCodec.decode(r.name(), d));
    } catch (JobException e) {
      LOG.warn("schedule {} is not fired here: {}", r.name(), e.getMessage());
      return null;
    }
    if (!types.contains(s.job().type())) {
      return null; // a process that runs the type fires it
    }
    Instant now = clock.instant();
    List<Instant> ticks = dueTicks(s, r.nextRunAt(), now);
    Instant next = (ticks.size() >= MAX_TICKS_PER_POLL ? s.nextTickAfter(ticks.get(ticks.size() - 1)) : s.nextTickAfter(now))
        .orElse(NEVER);
    for (Instant tick : ticks) {
      createTick(s, tick);
    }
    if (next.equals(NEVER)) {
      LOG.warn("schedule {} ticks no more; it stays stored until removed", s.name());
    }
    store.advanceSchedule(r.name(), r.nextRunAt(), next, null);
    return next;
  }

  /**
   * The ticks to fire now, oldest first: the newest of those missed by more than the misfire
   * threshold if the policy runs them once, then every tick since, up to {@link #MAX_TICKS_PER_POLL}.
   */
  static List<Instant> dueTicks(Schedule s, Instant firstUnfired, Instant now) {
    List<Instant> out = new ArrayList<>();
    Instant lateEdge = now.minus(s.misfireThreshold());
    Instant cursor = firstUnfired;
    if (cursor.isBefore(lateEdge)) {
      if (s.missedTicks() == MissedTicks.RUN_ONCE) {
        Instant newest = s.lastTickBefore(lateEdge).orElse(cursor);
        out.add(newest.isBefore(cursor) ? cursor : newest);
      }
      cursor = s.nextTickAfter(lateEdge.minusNanos(1)).orElse(NEVER);
    }
    while (!cursor.isAfter(now) && out.size() < MAX_TICKS_PER_POLL) {
      out.add(cursor);
      cursor = s.nextTickAfter(cursor).orElse(NEVER);
    }
    return out;
  }

  /** Creates the job of one tick; a refusal of the job itself skips the tick, a store failure does not. */
  private void createTick(Schedule s, Instant tick) {
    JobRequest request = s.job().toBuilder()
        .idempotencyKey(s.keyOf(tick))
        .metadata("asyncjobs.schedule", s.name())
        .metadata("asyncjobs.tick", tick.toString())
        .build();
    try {
      Job job = create.apply(request);
      LOG.debug("schedule {} tick {}: job {}", s.name(), tick, job.id());
    } catch (IdempotencyConflictException e) {
      LOG.debug("schedule {} tick {} already has a job (from before a change of the schedule)", s.name(), tick);
    } catch (JobStoreException e) {
      throw e;
    } catch (JobException e) {
      LOG.warn("schedule {} tick {} skipped: the job was refused: {}", s.name(), tick, e.getMessage());
    }
  }

  /**
   * Saves what a claim-first run left, unless another run saved a state since this one began
   * (from the same state: overlapping runs of a task longer than its interval; the first to end
   * wins, so the state moves on however long the runs take). A compare-and-set on the row's next
   * run as read just now, tried again when a tick moves it in between.
   */
  private void saveState(String name, @Nullable String from, @Nullable String to) {
    for (int tries = 0; tries < 5; tries++) {
      ScheduleRecord now = store.schedules().stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
      if (now == null || !java.util.Objects.equals(now.state(), from)) {
        return; // removed, or another run's state is already saved
      }
      if (store.advanceSchedule(name, now.nextRunAt(), now.nextRunAt(), to)) {
        return;
      }
    }
    LOG.debug("task {}: its state was not saved; the next run starts from the previous one", name);
  }

  /** Runs a built-in task's due tick if this process wins it; returns the task's next run. */
  private Instant runTask(ClusterTask task, ScheduleRecord r) {
    Instant now = clock.instant();
    Instant next = new IntervalTicks(task.interval()).next(now).orElseThrow();
    if (task.claimFirst()) {
      if (store.advanceSchedule(r.name(), r.nextRunAt(), next, r.state())) {
        String state = task.run(r.state(), now);
        if (!java.util.Objects.equals(state, r.state())) {
          saveState(r.name(), r.state(), state);
        }
      }
    } else {
      String state = task.run(r.state(), now);
      store.advanceSchedule(r.name(), r.nextRunAt(), next, state);
    }
    return next;
  }
}
