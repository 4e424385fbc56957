package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.EventsPrunedException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.EventSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the store's subscriptions and reads from the event log table: one thread per store that,
 * whenever a hint arrives (or the poll interval passes), settles how far the log is complete and
 * durable ({@link SettledBound}) and hands every subscription the settled events after its
 * position, in order, each once.
 *
 * <p>Subscriptions that stand at the same position share their reads: for a store on the tables'
 * owner, one read of every owner's events serves them all (each gets its owner's); for a store on a
 * role under row-level security, subscriptions are grouped by owner and each group's read names its
 * owner, so that the database, not this class, keeps owners apart. A subscription behind its group
 * (a resume) reads its own pages until it has caught up, then joins.
 */
public final class EventFeeds implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventFeeds.class);
  /** Events read per subscription group and round. */
  static final int PAGE = 500;
  /** Numbers one settling look reads at most. */
  private static final int HORIZON_LIMIT = 5000;
  /** The first and the longest wait before looking again while a fence is waited for. */
  private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long MAX_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  /**
   * The least time from one round's start to the next one's, however many hints and writes came
   * meanwhile: under load every write of this process wakes the reader, and rounds back to back
   * would take the database's time from the writes themselves. (A round that leaves a full page
   * behind goes on at once.)
   */
  private static final long MIN_ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** A settled bound stuck this long while numbers wait is worth a warning. */
  private static final long STALL_WARNING_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Database db;
  private final EventLogQueries queries;
  private final long pollNanos;
  private final Runnable startListening;
  private final String name;

  /** Guards {@link #bound} and the figures of the latest look. */
  private final Object settling = new Object();
  private @Nullable SettledBound bound;
  private long head;
  private long prunedThrough;

  private final Queue<Feed> added = new ConcurrentLinkedQueue<>();
  /** The kinds this process's subscriptions want, for {@link #changed}; grows with new ones, shrinks each round. */
  private volatile Set<JobEvent.Kind> wantedKinds = Set.of();
  private volatile boolean wantsEveryKind;
  /** Groups by scope key; touched by the delivery thread only. */
  private final Map<String, Group> groups = new HashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  private boolean wake;
  private boolean closed;
  private @Nullable Thread thread;

  private int failures;
  private long stuckSince = -1;
  private boolean stallWarned;

  /**
   * Feeds over {@code db}'s log.
   *
   * @param db the store's database (its {@link Database#scopesOwners()} decides the grouping)
   * @param queries the log's statements
   * @param pollInterval the longest time between two looks without a hint
   * @param startListening starts the hint listener; called once, with the first subscription
   * @param name for thread names and log lines
   */
  public EventFeeds(Database db, EventLogQueries queries, Duration pollInterval, Runnable startListening, String name) {
    this.db = db;
    this.queries = queries;
    this.pollNanos = pollInterval.toNanos();
    this.startListening = startListening;
    this.name = name;
  }

  // ---------------------------------------------------------------- settling

  /**
   * One settling look (and a fence when a gap is left); safe from any thread.
   *
   * @return the settled bound after it
   */
  long settle() {
    synchronized (settling) {
      SettledBound b = bound;
      if (b == null) {
        // Start where the log is now: numbers up to the newest one handed out are settled once a
        // fence taken now is passed; nothing before the start is ever delivered by this store
        // except to a subscription that asks for it (and reads it below the bound).
        EventLogQueries.Horizon first = db.run(Call.idempotent("reading the event log"), h -> queries.horizon(h, Long.MAX_VALUE, 0));
        b = new SettledBound(first.prunedThrough());
        b.expect(first.head(), fence());
        bound = b;
      }
      long after = b.lookAfter();
      EventLogQueries.Horizon look = db.run(Call.idempotent("reading the event log"), h -> queries.horizon(h, after, HORIZON_LIMIT));
      head = look.head();
      prunedThrough = look.prunedThrough();
      return b.observe(look.seqs(), look.snapshotXmin(), look.prunedThrough(), look.insertLsn(), look.flushLsn(), this::fence);
    }
  }

  private long fence() {
    return db.run(Call.idempotent("fencing the event log"), queries::fence);
  }

  private boolean waitingForFence() {
    synchronized (settling) {
      return bound != null && bound.waiting();
    }
  }

  // ---------------------------------------------------------------- reads

  /**
   * Up to {@code limit} settled events after {@code after}, of one owner or of every owner.
   *
   * @throws EventsPrunedException {@code after} was pruned
   * @throws InvalidRequestException {@code after} is beyond the newest event
   */
  public List<JobEvent> read(@Nullable String ownerId, @Nullable UUID jobId, long after, int limit) {
    long upTo = settle();
    long newest;
    synchronized (settling) {
      newest = head;
    }
    if (after > newest) {
      throw beyondHead(after, newest);
    }
    if (after >= upTo || limit == 0) {
      checkNotPruned(after);
      return List.of();
    }
    EventLogQueries.EventPage page =
        db.run(Call.idempotent("reading events").forOwner(ownerId), h -> queries.read(h, ownerId, Set.of(), jobId, after, upTo, limit));
    if (after < page.prunedThrough()) {
      throw new EventsPrunedException(after, page.prunedThrough());
    }
    return page.events();
  }

  private void checkNotPruned(long after) {
    long pruned;
    synchronized (settling) {
      pruned = prunedThrough;
    }
    if (after < pruned) {
      throw new EventsPrunedException(after, pruned);
    }
  }

  private static InvalidRequestException beyondHead(long after, long newest) {
    return new InvalidRequestException("after", "event position " + after + " is beyond the newest event, " + newest);
  }

  // ---------------------------------------------------------------- subscriptions

  /**
   * Subscribes {@code listener}; see {@link dev.asyncjobs.spi.JobStore#subscribe}.
   *
   * @throws EventsPrunedException the position was pruned
   * @throws InvalidRequestException the position is beyond the newest event
   */
  public Subscription subscribe(EventSubscription selection, JobEventListener listener) {
    lock.lock();
    try {
      if (closed) {
        throw new JobStoreException("the PostgreSQL job store is closed: no new subscriptions", null, null);
      }
    } finally {
      lock.unlock();
    }
    startListening.run();
    settle();
    long start;
    synchronized (settling) {
      Long after = selection.afterSequence();
      if (after == null) {
        start = head;
      } else if (after > head) {
        throw beyondHead(after, head);
      } else if (after < prunedThrough) {
        throw new EventsPrunedException(after, prunedThrough);
      } else {
        start = after;
      }
    }
    Feed feed = new Feed(selection, start, listener);
    want(selection.kinds());
    added.add(feed);
    startThread();
    wake();
    return feed;
  }

  private synchronized void want(Set<JobEvent.Kind> kinds) {
    if (kinds.isEmpty()) {
      wantsEveryKind = true;
    } else {
      java.util.EnumSet<JobEvent.Kind> all = java.util.EnumSet.noneOf(JobEvent.Kind.class);
      all.addAll(wantedKinds);
      all.addAll(kinds);
      wantedKinds = Set.copyOf(all);
    }
  }

  /** Recomputes what the live subscriptions want (after some were closed). */
  private synchronized void recomputeWanted() {
    boolean every = false;
    java.util.EnumSet<JobEvent.Kind> all = java.util.EnumSet.noneOf(JobEvent.Kind.class);
    for (Group g : groups.values()) {
      if (g.kinds.isEmpty()) {
        every = true;
      }
      all.addAll(g.kinds);
    }
    for (Feed f : added) {
      if (f.selection.kinds().isEmpty()) {
        every = true;
      }
      all.addAll(f.selection.kinds());
    }
    wantedKinds = Set.copyOf(all);
    wantsEveryKind = every;
  }

  private void startThread() {
    lock.lock();
    try {
      if (thread == null && !closed) {
        Thread t = new Thread(this::run, "asyncjobs-pg-events-" + name);
        t.setDaemon(true);
        thread = t;
        t.start();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * This process wrote events of {@code kinds}: look at the log now if a subscription here wants
   * one of them. (A busy worker writes STARTED and COMPLETED events all the time, which its own
   * subscription does not read; looking after each write would cost the database for nothing.)
   */
  public void changed(Set<JobEvent.Kind> kinds) {
    if (wantsEveryKind || !java.util.Collections.disjoint(wantedKinds, kinds)) {
      wake();
    }
  }

  /** Look at the log now (a hint arrived). */
  public void wake() {
    lock.lock();
    try {
      wake = true;
      woken.signal();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    long retryNanos = FIRST_RETRY_NANOS;
    long lastRound = System.nanoTime() - MIN_ROUND_NANOS;
    boolean more = false;
    while (true) {
      long waitNanos = waitingForFence() ? retryNanos : pollNanos;
      lock.lock();
      try {
        long left = waitNanos;
        while (!wake && !closed && left > 0) {
          left = woken.awaitNanos(left);
        }
        // Spaced out, unless the last round left a full page behind.
        long early = lastRound + MIN_ROUND_NANOS - System.nanoTime();
        while (!more && !closed && early > 0) {
          early = woken.awaitNanos(early);
          early = lastRound + MIN_ROUND_NANOS - System.nanoTime();
        }
        if (closed) {
          return;
        }
        wake = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      lastRound = System.nanoTime();
      more = false;
      try {
        more = round();
        if (failures > 0) {
          LOG.info("reading the event log of {} works again after {} failed attempt(s)", name, failures);
          failures = 0;
        }
        retryNanos = waitingForFence() ? Math.min(MAX_RETRY_NANOS, retryNanos * 2) : FIRST_RETRY_NANOS;
        if (more) {
          wake();
        }
      } catch (RuntimeException e) {
        if (failures++ == 0) {
          LOG.warn("reading the event log of {} failed ({}); retrying, no event is lost", name, e.getMessage());
        } else {
          LOG.debug("reading the event log of {} failed again", name, e);
        }
        retryNanos = MAX_RETRY_NANOS;
        sleepQuietly(Math.min(pollNanos, TimeUnit.MILLISECONDS.toNanos(100L << Math.min(failures, 6))));
      }
    }
  }

  private void sleepQuietly(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One round: settle, then serve each group one page.
   *
   * @return whether some subscription is still behind the settled bound (go again at once)
   */
  private boolean round() {
    takeAdded();
    if (groups.isEmpty()) {
      return false;
    }
    long upTo = settle();
    watchForStall(upTo);
    boolean more = false;
    boolean removed = false;
    for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
      Group g = it.next();
      g.feeds.removeIf(f -> f.closed);
      if (g.feeds.isEmpty()) {
        it.remove();
        removed = true;
        continue;
      }
      more |= g.serve(upTo);
    }
    if (removed) {
      recomputeWanted();
    }
    return more;
  }

  private void takeAdded() {
    Feed f;
    while ((f = added.poll()) != null) {
      if (f.closed) {
        continue;
      }
      // Under row-level security a read can only name one owner: one group per owner. The tables'
      // owner reads every owner's events at once and hands each subscription its own. Kinds are
      // filtered in the read, so subscriptions of other kinds read apart.
      String owner = db.scopesOwners() ? f.selection.ownerId() : null;
      String key = (owner == null ? "all" : "owner:" + owner) + " " + f.selection.kinds();
      Feed first = f;
      groups.computeIfAbsent(key, k -> new Group(owner, first.selection.kinds(), first.position)).feeds.add(f);
    }
  }

  private void watchForStall(long upTo) {
    boolean waiting = waitingForFence();
    long now = System.nanoTime();
    if (!waiting) {
      stuckSince = -1;
      stallWarned = false;
      return;
    }
    if (stuckSince < 0 || upTo != lastUpTo) {
      stuckSince = now;
      lastUpTo = upTo;
      stallWarned = false;
    } else if (!stallWarned && now - stuckSince > STALL_WARNING_NANOS) {
      stallWarned = true;
      long oldest;
      synchronized (settling) {
        oldest = bound == null ? -1 : bound.oldestFence();
      }
      LOG.warn("events of {} after #{} have waited {} s for transactions older than id {} to end: a long-running"
              + " write transaction in this PostgreSQL cluster holds back event delivery (nothing is lost)",
          name, upTo, TimeUnit.NANOSECONDS.toSeconds(now - stuckSince), oldest);
    }
  }

  private long lastUpTo = -1;

  @Override
  public void close() {
    Thread t;
    lock.lock();
    try {
      closed = true;
      t = thread;
      woken.signalAll();
    } finally {
      lock.unlock();
    }
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Subscriptions that share reads: their scope, and the position of the shared read. */
  private final class Group {
    /** The owner the shared read names (row-level security), or null for every owner. */
    private final @Nullable String readOwner;
    /** The kinds every feed of the group wants (every kind when empty). */
    private final Set<JobEvent.Kind> kinds;
    private final List<Feed> feeds = new ArrayList<>();
    private long position;

    Group(@Nullable String readOwner, Set<JobEvent.Kind> kinds, long position) {
      this.readOwner = readOwner;
      this.kinds = kinds;
      this.position = position;
    }

    /** Serves one page to every feed; returns whether any is still behind {@code upTo}. */
    boolean serve(long upTo) {
      boolean more = false;
      for (Feed f : List.copyOf(feeds)) {
        if (f.position < position) {
          more |= catchUp(f);
        }
      }
      feeds.removeIf(f -> f.closed);
      if (position >= upTo) {
        return more;
      }
      EventLogQueries.EventPage page =
          db.run(Call.idempotent("reading events").forOwner(readOwner), h -> queries.read(h, readOwner, kinds, null, position, upTo, PAGE));
      if (position < page.prunedThrough()) {
        for (Feed f : feeds) {
          if (f.position >= position && f.position < page.prunedThrough()) {
            f.pruned(new EventsPrunedException(f.position, page.prunedThrough()));
          }
        }
        feeds.removeIf(f -> f.closed);
        position = page.prunedThrough();
        return true;
      }
      long end = page.events().size() < PAGE ? upTo : last(page);
      // The feeds at (or ahead of) the shared position take part; those still catching up do not.
      List<Feed> taking = new ArrayList<>();
      for (Feed f : feeds) {
        if (f.position >= position) {
          taking.add(f);
        }
      }
      for (JobEvent e : page.events()) {
        for (Feed f : taking) {
          if (f.position < e.sequence()) {
            f.deliver(e);
          }
        }
      }
      for (Feed f : taking) {
        f.position = Math.max(f.position, end);
      }
      position = end;
      return more || end < upTo;
    }

    /** One page for a feed behind the group, read with its own owner; it joins when it reaches the group. */
    private boolean catchUp(Feed f) {
      String owner = f.selection.ownerId();
      EventLogQueries.EventPage page = db.run(Call.idempotent("reading events").forOwner(owner),
          h -> queries.read(h, owner, f.selection.kinds(), null, f.position, position, PAGE));
      if (f.position < page.prunedThrough()) {
        f.pruned(new EventsPrunedException(f.position, page.prunedThrough()));
        return false;
      }
      for (JobEvent e : page.events()) {
        f.deliver(e);
      }
      f.position = page.events().size() < PAGE ? position : last(page);
      return f.position < position;
    }

    private long last(EventLogQueries.EventPage page) {
      return page.events().get(page.events().size() - 1).sequence();
    }
  }

  /** One subscription. Its position is moved by the delivery thread only. */
  private static final class Feed implements Subscription {
    private final EventSubscription selection;
    private final long startedAfter;
    private final JobEventListener listener;
    private volatile long position;
    private volatile boolean closed;

    Feed(EventSubscription selection, long startedAfter, JobEventListener listener) {
      this.selection = selection;
      this.startedAfter = startedAfter;
      this.position = startedAfter;
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    void deliver(JobEvent e) {
      if (closed || !selection.covers(e)) {
        return;
      }
      try {
        listener.onEvent(e);
      } catch (RuntimeException ex) {
        LOG.warn("job event listener threw on {} of job {}; continuing", e.kind(), e.jobId(), ex);
      }
    }

    void pruned(EventsPrunedException e) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        listener.onPruned(e);
      } catch (RuntimeException ex) {
        LOG.warn("job event listener threw on being told its position was pruned", ex);
      }
    }

    @Override
    public long startedAfter() {
      return startedAfter;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
