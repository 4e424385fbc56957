package dev.asyncjobs.store.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.FinishedCount;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.BudgetAmount;
import dev.asyncjobs.spi.BudgetBound;
import dev.asyncjobs.spi.CachedResult;
import dev.asyncjobs.Job;
import dev.asyncjobs.Usage;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobLimit;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LeaseLostException;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.Page;
import dev.asyncjobs.QueueStats;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.Completion;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.Failure;
import dev.asyncjobs.spi.HeartbeatResult;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.Lease;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.OutputAppend;
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.spi.PageCursor;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spi.ScheduleRecord;
import dev.asyncjobs.spi.UsageTotal;
import dev.asyncjobs.spi.WorkerProgress;
import dev.asyncjobs.store.memory.internal.CacheJoins;
import dev.asyncjobs.store.memory.internal.EventLog;
import dev.asyncjobs.store.memory.internal.FairOrder;
import dev.asyncjobs.store.memory.internal.Keys;
import dev.asyncjobs.store.memory.internal.LimitBook;
import dev.asyncjobs.store.memory.internal.OwnerQueues;
import dev.asyncjobs.store.memory.internal.OwnerState;
import dev.asyncjobs.store.memory.internal.Percentiles;
import dev.asyncjobs.store.memory.internal.ReadyMerge;
import dev.asyncjobs.store.memory.internal.ScheduleBook;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jspecify.annotations.Nullable;

/**
 * The embedded default {@link JobStore}: jobs live in this process's memory and are gone when it
 * exits. Thread-safe without a global lock: each job is guarded by its own monitor, each owner's
 * quota and idempotency keys by the owner's lock, and the indexes are concurrent skip lists, so
 * claiming is O(log n) and independent owners never wait for each other.
 *
 * <p>Use it for development, tests, single-process applications and demos; use the PostgreSQL
 * store when jobs must survive a restart or be shared by several processes.
 */
public final class InMemoryJobStore implements JobStore {
  /** Every optional capability but TRANSACTIONS: there is no database transaction to join. Named, so a new capability is never declared by accident. */
  private static final Set<StoreCapability> CAPABILITIES =
      Set.of(StoreCapability.QUOTAS, StoreCapability.STATISTICS, StoreCapability.LIMITS, StoreCapability.FAIR_CLAIMS,
          StoreCapability.USAGE, StoreCapability.BUDGETS, StoreCapability.RESULT_CACHE, StoreCapability.ADMIN,
          StoreCapability.SCHEDULES);
  private static final int RECENT_DURATIONS_KEPT = 1000;
  /** Events the log keeps by default: about 10 MB at most. */
  public static final int DEFAULT_MAX_EVENTS = 100_000;

  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final ConcurrentMap<UUID, Slot> jobs = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, OwnerState> owners = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, NavigableSet<Keys.Ready>> readyByType = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<Keys.Timed> scheduled = new ConcurrentSkipListSet<>(Keys.TIMED_ORDER);
  private final ConcurrentSkipListSet<Keys.Timed> leases = new ConcurrentSkipListSet<>(Keys.TIMED_ORDER);
  private final ConcurrentSkipListSet<Keys.Timed> finished = new ConcurrentSkipListSet<>(Keys.TIMED_ORDER);
  private final ConcurrentSkipListSet<Keys.Timed> allByCreatedAt = new ConcurrentSkipListSet<>(Keys.TIMED_ORDER);
  private final ConcurrentMap<String, ArrayDeque<Duration>> recentDurations = new ConcurrentHashMap<>();
  private final EventLog events;
  private final LimitBook limits = new LimitBook();
  private final ScheduleBook schedules = new ScheduleBook();
  private final OwnerQueues ownerQueues = new OwnerQueues();
  /**
   * Whether a fair claim was ever asked for: the owner index is kept from then on only, so that a
   * store whose workers never claim fairly pays nothing for it.
   */
  private volatile boolean fairClaimsSeen;
  /** The owner of every budgeted job whose record is kept, deleted jobs included. */
  private final ConcurrentMap<UUID, String> budgetOwners = new ConcurrentHashMap<>();
  /** By cache key, the completed jobs that ran (not cached copies), by completion. */
  private final ConcurrentMap<String, ConcurrentSkipListSet<Keys.Timed>> completedByCacheKey = new ConcurrentHashMap<>();
  /** The unfinished originals of each cache key, and the jobs waiting for each. */
  private final CacheJoins joins = new CacheJoins();

  /** A job, what limits it falls under, and the monitor that guards its changes. */
  private static final class Slot {
    volatile Job job;
    /** Its type and resources: the names of the limits it falls under. */
    final Set<String> names;
    /** The units an attempt reserves under a units limit. */
    final long units;

    Slot(Job job, Set<String> names, long units) {
      this.job = job;
      this.names = names;
      this.units = units;
    }
  }

  /** A store on the system UTC clock. */
  public InMemoryJobStore() {
    this(Clock.systemUTC());
  }

  /**
   * A store whose timestamps come from {@code clock} (tests pass a clock they can move).
   *
   * @param clock the clock of every timestamp the store writes
   */
  public InMemoryJobStore(Clock clock) {
    this(clock, DEFAULT_MAX_EVENTS);
  }

  /**
   * A store on {@code clock} whose event log keeps at most {@code maxEvents} events (the oldest are
   * dropped first, besides the retention pruning that workers do), so that its memory is bounded.
   *
   * @param clock the clock of every timestamp the store writes
   * @param maxEvents the most events the log keeps, at least 1
   */
  public InMemoryJobStore(Clock clock, int maxEvents) {
    if (maxEvents < 1) {
      throw new JobConfigurationException("maxEvents must be at least 1, was " + maxEvents);
    }
    this.clock = clock;
    this.events = new EventLog(maxEvents, "asyncjobs-memory-events");
  }

  /** {@return quotas and statistics: this store implements the whole contract} */
  @Override
  public Set<StoreCapability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- insert

  @Override
  public List<Job> insert(InsertRequest request) {
    List<NewJob> newJobs = request.jobs();
    QuotaPolicy quotas = request.quotas();
    Map<String, List<Integer>> indexesByOwner = new TreeMap<>();
    for (int i = 0; i < newJobs.size(); i++) {
      indexesByOwner.computeIfAbsent(newJobs.get(i).ownerId(), o -> new ArrayList<>()).add(i);
    }
    List<OwnerState> locked = new ArrayList<>();
    try {
      // Owners are locked in sorted order so that two batches never deadlock.
      for (String owner : indexesByOwner.keySet()) {
        OwnerState state = owner(owner);
        state.lock.lock();
        locked.add(state);
      }
      Instant now = clock.instant();
      Job[] result = new Job[newJobs.size()];
      List<NewJob> toInsert = new ArrayList<>();
      for (Map.Entry<String, List<Integer>> e : indexesByOwner.entrySet()) {
        OwnerState state = owners.get(e.getKey());
        Map<String, NewJob> keysInBatch = new HashMap<>();
        int fresh = 0;
        BudgetAmount requested = BudgetAmount.ZERO;
        for (int i : e.getValue()) {
          NewJob nj = newJobs.get(i);
          Job existing = idempotentMatch(state, keysInBatch, nj);
          if (existing != null) {
            result[i] = existing;
          } else if (nj.idempotencyKey() != null && keysInBatch.containsKey(nj.idempotencyKey())) {
            result[i] = null; // filled in below with the first job of the batch that had the key
          } else {
            fresh++;
            BudgetAmount reserved = request.budgets().reservationOf(nj.id());
            if (reserved != null) {
              requested = requested.plus(reserved);
            }
            if (nj.idempotencyKey() != null) {
              keysInBatch.put(nj.idempotencyKey(), nj);
            }
          }
        }
        QuotaWindow window = state.window(now);
        quotas.limitsFor(e.getKey()).check(e.getKey(), now, fresh, window);
        if (fresh > 0) { // idempotent replays alone spend nothing, as for quotas
          checkBudget(e.getKey(), state, request.budgets().boundsFor(e.getKey()), requested);
        }
      }
      // Every check passed: commit.
      Map<UUID, Job> insertedById = new HashMap<>();
      for (Map.Entry<String, List<Integer>> e : indexesByOwner.entrySet()) {
        OwnerState state = owners.get(e.getKey());
        int fresh = 0;
        for (int i : e.getValue()) {
          NewJob nj = newJobs.get(i);
          if (result[i] != null) {
            continue;
          }
          UUID existingId = nj.idempotencyKey() == null ? null : state.idempotencyKeys.get(nj.idempotencyKey());
          if (existingId != null && insertedById.containsKey(existingId)) {
            result[i] = insertedById.get(existingId);
            continue;
          }
          BudgetAmount reserved = request.budgets().reservationOf(nj.id());
          if (reserved != null) {
            budgetOwners.put(nj.id(), nj.ownerId());
            state.reserve(now, nj.id(), reserved).forEach(budgetOwners::remove);
          }
          Job job = storeNew(state, nj, reserved, now);
          insertedById.put(job.id(), job);
          result[i] = job;
          fresh++;
        }
        state.record(now, fresh);
      }
      return List.of(result);
    } finally {
      for (OwnerState s : locked) {
        s.lock.unlock();
      }
    }
  }

  private @Nullable Job idempotentMatch(OwnerState state, Map<String, NewJob> keysInBatch, NewJob nj) {
    String key = nj.idempotencyKey();
    if (key == null) {
      return null;
    }
    UUID existingId = state.idempotencyKeys.get(key);
    if (existingId != null) {
      Slot slot = jobs.get(existingId);
      if (slot != null) {
        Job existing = slot.job;
        requireSameRequest(key, existing.id(), existing.type(), existing.payload(), nj);
        return existing;
      }
    }
    NewJob earlier = keysInBatch.get(key);
    if (earlier != null) {
      requireSameRequest(key, earlier.id(), earlier.type(), earlier.payload(), nj);
    }
    return null;
  }

  private void requireSameRequest(String key, UUID existingId, String type, String payload, NewJob nj) {
    if (!type.equals(nj.type()) || !tree(payload).equals(tree(nj.payload()))) {
      throw new IdempotencyConflictException(key, existingId);
    }
  }

  private JsonNode tree(String text) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new InvalidRequestException("payload", "payload is not valid JSON");
    }
  }

  /**
   * Stores a new job; one with a cached result as its source is at this moment (see {@link
   * JobStore#insert}): a copy of a completed source, a job waiting for an unfinished one, else a
   * plain job.
   */
  private Job storeNew(OwnerState state, NewJob nj, @Nullable BudgetAmount reserved, Instant now) {
    CachedResult cached = nj.cached();
    if (cached != null) {
      Slot source = jobs.get(cached.from());
      Job src = source == null ? null : source.job;
      if (source != null && src.cachedFrom() == null && !src.status().isFinal()) {
        Slot[] stored = new Slot[1];
        NewJob follower = nj.withCached(CachedResult.joining(src.id()));
        if (joins.join(src.id(), nj.id(), () -> !source.job.status().isFinal(),
            () -> stored[0] = storeSlot(state, follower, reserved, now))) {
          return stored[0].job;
        }
        src = source.job; // it ended meanwhile: decide again by its final state
      }
      if (src != null && src.cachedFrom() == null && src.status() == JobStatus.COMPLETED && src.result() != null) {
        if (reserved != null) {
          state.settle(nj.id(), BudgetAmount.ZERO); // a copy spends nothing (the manager reserved for a join)
        }
        return storeSlot(state, nj.withCached(new CachedResult(src.id(), src.result())), null, now).job;
      }
      nj = nj.withCached(null);
    }
    return storeSlot(state, nj, reserved, now).job;
  }

  private Slot storeSlot(OwnerState state, NewJob nj, @Nullable BudgetAmount reserved, Instant now) {
    Job job = nj.toJob(now);
    if (reserved != null) {
      job = job.toBuilder().budgetReserved(reserved).build();
    }
    Slot slot = new Slot(job, nj.limitNames(), nj.estimatedUnits());
    store(state, slot, now);
    return slot;
  }

  private void store(OwnerState state, Slot slot, Instant now) {
    Job job = slot.job;
    synchronized (slot) {
      jobs.put(job.id(), slot);
      Keys.Timed created = new Keys.Timed(job.createdAt(), job.id());
      state.byCreatedAt.add(created);
      allByCreatedAt.add(created);
      if (job.idempotencyKey() != null) {
        state.idempotencyKeys.put(job.idempotencyKey(), job.id());
      }
      if (job.status() == JobStatus.COMPLETED) {
        // Answered from the result cache: created and completed in one step, never claimed.
        finished.add(new Keys.Timed(now, job.id()));
        events.append(JobEvent.Kind.CREATED, job.toBuilder().status(JobStatus.PENDING).progress(0).result(null)
            .finishedAt(null).build());
        events.append(JobEvent.Kind.COMPLETED, job);
      } else {
        enqueue(job, now);
        if (job.cacheKey() != null && job.cachedFrom() == null) {
          joins.started(job.cacheKey(), job.id());
        }
        events.append(JobEvent.Kind.CREATED, job);
      }
    }
  }

  /** Puts a PENDING job where claim will find it: ready when due, else scheduled. */
  private void enqueue(Job job, Instant now) {
    if (job.runAt().isAfter(now)) {
      scheduled.add(new Keys.Timed(job.runAt(), job.id()));
    } else {
      addReady(job);
    }
  }

  /** Makes a due PENDING job claimable: in its type's ready set and its owner's queue. */
  private void addReady(Job job) {
    Keys.Ready key = readyKey(job);
    ready(job.type()).add(key);
    if (fairClaimsSeen) { // read after the ready set's add: see activateFairClaims
      ownerQueues.add(job.type(), job.ownerId(), key);
    }
  }

  private void dequeue(Job job) {
    NavigableSet<Keys.Ready> set = readyByType.get(job.type());
    if (set != null) {
      set.remove(readyKey(job));
    }
    if (fairClaimsSeen) {
      ownerQueues.remove(job.type(), job.ownerId(), readyKey(job));
    }
    scheduled.remove(new Keys.Timed(job.runAt(), job.id()));
  }

  private static Keys.Ready readyKey(Job job) {
    return new Keys.Ready(job.priority(), job.runAt(), job.id());
  }

  private NavigableSet<Keys.Ready> ready(String type) {
    return readyByType.computeIfAbsent(type, t -> new ConcurrentSkipListSet<>(Keys.READY_ORDER));
  }

  private OwnerState owner(String ownerId) {
    return owners.computeIfAbsent(ownerId, o -> new OwnerState());
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<Job> find(UUID id) {
    Slot slot = jobs.get(id);
    return slot == null ? Optional.empty() : Optional.of(slot.job);
  }

  @Override
  public Optional<Job> findByIdempotencyKey(String ownerId, String idempotencyKey) {
    OwnerState state = owners.get(ownerId);
    if (state == null) {
      return Optional.empty();
    }
    UUID id;
    state.lock.lock();
    try {
      id = state.idempotencyKeys.get(idempotencyKey);
    } finally {
      state.lock.unlock();
    }
    return id == null ? Optional.empty() : find(id);
  }

  @Override
  public Page<Job> query(JobQuery query) {
    NavigableSet<Keys.Timed> index;
    if (query.ownerId() == null) {
      index = allByCreatedAt;
    } else {
      OwnerState state = owners.get(query.ownerId());
      if (state == null) {
        return new Page<>(List.of(), null);
      }
      index = state.byCreatedAt;
    }
    PageCursor cursor = query.decodedCursor();
    boolean newestFirst = query.sort() == JobQuery.Sort.NEWEST_FIRST;
    NavigableSet<Keys.Timed> range = index;
    if (cursor != null) {
      Keys.Timed at = new Keys.Timed(cursor.createdAt(), cursor.id());
      range = newestFirst ? index.headSet(at, false) : index.tailSet(at, false);
    }
    Iterator<Keys.Timed> it = newestFirst ? range.descendingIterator() : range.iterator();
    List<Job> items = new ArrayList<>();
    boolean more = false;
    while (it.hasNext()) {
      Slot slot = jobs.get(it.next().id());
      if (slot == null || !query.matches(slot.job)) {
        continue;
      }
      if (items.size() == query.limit()) {
        more = true;
        break;
      }
      items.add(slot.job);
    }
    String next = more ? PageCursor.after(items.get(items.size() - 1)).encode() : null;
    return new Page<>(items, next);
  }

  // ---------------------------------------------------------------- claiming

  @Override
  public List<Job> claim(ClaimRequest request) {
    Instant now = clock.instant();
    promoteDue(now);
    Instant leaseUntil = now.plus(request.leaseDuration());
    if (request.fairBetweenOwners()) {
      synchronized (limits) {
        activateFairClaims();
        return claimFair(request, now, leaseUntil);
      }
    }
    if (!limits.isEmpty(now)) {
      synchronized (limits) {
        return claimUnderLimits(request, now, leaseUntil);
      }
    }
    List<Job> claimed = new ArrayList<>(Math.min(request.limit(), 64));
    while (claimed.size() < request.limit()) {
      NavigableSet<Keys.Ready> best = bestReadySet(request.types());
      if (best == null) {
        break;
      }
      Keys.Ready key = best.pollFirst();
      if (key == null) {
        continue; // another claimer took it; look again
      }
      Slot slot = jobs.get(key.id());
      if (slot == null) {
        continue;
      }
      synchronized (slot) {
        if (fairClaimsSeen) {
          ownerQueues.remove(slot.job.type(), slot.job.ownerId(), key);
        }
        Job running = start(slot, key, request, now, leaseUntil);
        if (running != null) {
          claimed.add(running);
        }
      }
    }
    return claimed;
  }

  /**
   * The claim while some name has bounds, a pause or a back-off: the due jobs in claim order, each
   * taken only if its names have room, the ones that do not fit left where they are. Runs under
   * the book's monitor, so that limited claims are serialised and never both take the last slot.
   */
  private List<Job> claimUnderLimits(ClaimRequest request, Instant now, Instant leaseUntil) {
    LimitBook.Round round = limits.round(now, this::runningUnder);
    List<Job> claimed = new ArrayList<>(Math.min(request.limit(), 64));
    Iterator<Keys.Ready> candidates = ReadyMerge.of(request.types(), readyByType);
    while (claimed.size() < request.limit() && candidates.hasNext()) {
      Keys.Ready key = candidates.next();
      Slot slot = jobs.get(key.id());
      if (slot == null || !round.fits(slot.names, slot.units)) {
        continue;
      }
      synchronized (slot) {
        NavigableSet<Keys.Ready> set = readyByType.get(slot.job.type());
        if (set == null || !set.remove(key)) {
          continue; // taken by an unlimited claim meanwhile
        }
        if (fairClaimsSeen) {
          ownerQueues.remove(slot.job.type(), slot.job.ownerId(), key);
        }
        Job running = start(slot, key, request, now, leaseUntil);
        if (running != null) {
          round.take(slot.names, slot.units, running.id(), running.attempts());
          claimed.add(running);
        }
      }
    }
    return claimed;
  }

  /**
   * The claim that takes owners in turn: every owner's first due jobs (at most the claim's size of
   * each, and only those the limits let start), ordered by {@link FairOrder}, taken in that order.
   * Runs under the book's monitor like a limited claim; it takes each job from its type's ready set
   * as every claim does, so that a plain claim running meanwhile never gets the same job.
   */
  private List<Job> claimFair(ClaimRequest request, Instant now, Instant leaseUntil) {
    LimitBook.@Nullable Round round = limits.isEmpty(now) ? null : limits.round(now, this::runningUnder);
    Map<String, List<OwnerQueues.Ranked>> heads =
        ownerQueues.heads(request.types(), request.limit(), key -> {
          Slot slot = jobs.get(key.id());
          return slot != null && (round == null || round.fits(slot.names, slot.units));
        });
    List<Job> claimed = new ArrayList<>(Math.min(request.limit(), 64));
    for (Keys.Ready key : FairOrder.of(heads, runningByOwner(request.types()))) {
      if (claimed.size() == request.limit()) {
        break;
      }
      Slot slot = jobs.get(key.id());
      if (slot == null || (round != null && !round.fits(slot.names, slot.units))) {
        continue;
      }
      synchronized (slot) {
        Job job = slot.job;
        NavigableSet<Keys.Ready> set = readyByType.get(job.type());
        if (set == null || !set.remove(key)) {
          if (job.status() != JobStatus.PENDING || !readyKey(job).equals(key)) {
            ownerQueues.remove(job.type(), job.ownerId(), key); // a stale entry: the job moved on
          }
          continue;
        }
        ownerQueues.remove(job.type(), job.ownerId(), key);
        Job running = start(slot, key, request, now, leaseUntil);
        if (running != null) {
          if (round != null) {
            round.take(slot.names, slot.units, running.id(), running.attempts());
          }
          claimed.add(running);
        }
      }
    }
    return claimed;
  }

  /**
   * Starts keeping the owner index, filled from the ready sets; caller holds the book's monitor.
   * The flag is set before the ready sets are read, and every add reads it after adding to its
   * ready set: a key added meanwhile is either seen here or indexed by its adder.
   */
  private void activateFairClaims() {
    if (fairClaimsSeen) {
      return;
    }
    fairClaimsSeen = true;
    readyByType.forEach((type, set) -> {
      for (Keys.Ready key : set) {
        Slot slot = jobs.get(key.id());
        if (slot != null) {
          ownerQueues.add(type, slot.job.ownerId(), key);
        }
      }
    });
  }

  /** By owner, its PROCESSING jobs of {@code types}: a scan of the running ones, which are few. */
  private Map<String, Integer> runningByOwner(Set<String> types) {
    Map<String, Integer> running = new HashMap<>();
    for (Keys.Timed lease : leases) {
      Slot slot = jobs.get(lease.id());
      if (slot != null) {
        Job job = slot.job;
        if (job.status() == JobStatus.PROCESSING && types.contains(job.type())) {
          running.merge(job.ownerId(), 1, Integer::sum);
        }
      }
    }
    return running;
  }

  /** PROCESSING jobs under {@code name}: a scan of the running ones, which are few. */
  private int runningUnder(String name) {
    int n = 0;
    for (Keys.Timed lease : leases) {
      Slot slot = jobs.get(lease.id());
      if (slot != null && slot.names.contains(name) && slot.job.status() == JobStatus.PROCESSING) {
        n++;
      }
    }
    return n;
  }

  /**
   * Makes the job of {@code key} PROCESSING for the request's worker, its key already out of the
   * ready set; caller holds the job's lock. {@return the running job, or null when the job changed
   * since it was indexed (cancelled, rescheduled)}
   */
  private @Nullable Job start(Slot slot, Keys.Ready key, ClaimRequest request, Instant now, Instant leaseUntil) {
    Job job = slot.job;
    if (job.status() != JobStatus.PENDING || !readyKey(job).equals(key)) {
      return null;
    }
    Job running =
        job.toBuilder()
            .status(JobStatus.PROCESSING)
            .attempts(job.attempts() + 1)
            .progress(0)
            .progressMessage(null)
            .startedAt(now)
            .updatedAt(now)
            .workerId(request.workerId())
            .leaseUntil(leaseUntil)
            .build();
    slot.job = running;
    leases.add(new Keys.Timed(leaseUntil, job.id()));
    events.append(JobEvent.Kind.STARTED, running);
    return running;
  }

  private @Nullable NavigableSet<Keys.Ready> bestReadySet(Set<String> types) {
    NavigableSet<Keys.Ready> best = null;
    Keys.Ready bestHead = null;
    for (String type : types) {
      NavigableSet<Keys.Ready> set = readyByType.get(type);
      if (set == null) {
        continue;
      }
      Keys.Ready head = firstOrNull(set);
      if (head != null && (bestHead == null || Keys.READY_ORDER.compare(head, bestHead) < 0)) {
        best = set;
        bestHead = head;
      }
    }
    return best;
  }

  private static <T> @Nullable T firstOrNull(NavigableSet<T> set) {
    Iterator<T> it = set.iterator();
    return it.hasNext() ? it.next() : null;
  }

  /** Moves scheduled jobs whose runAt has come into their type's ready set. */
  private void promoteDue(Instant now) {
    Keys.Timed head;
    while ((head = firstOrNull(scheduled)) != null && !head.at().isAfter(now)) {
      if (!scheduled.remove(head)) {
        continue;
      }
      Slot slot = jobs.get(head.id());
      if (slot == null) {
        continue;
      }
      synchronized (slot) {
        Job job = slot.job;
        if (job.status() == JobStatus.PENDING && job.runAt().equals(head.at())) {
          addReady(job);
        }
      }
    }
  }

  // ---------------------------------------------------------------- worker writes

  /** Runs {@code change} on the job under its lock if the lease still holds. */
  private Job fenced(Lease lease, java.util.function.BiFunction<Slot, Job, Job> change) {
    Slot slot = jobs.get(lease.jobId());
    if (slot == null) {
      throw new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt());
    }
    synchronized (slot) {
      Job job = slot.job;
      if (!holds(job, lease)) {
        throw new LeaseLostException(lease.jobId(), lease.workerId(), lease.attempt());
      }
      return change.apply(slot, job);
    }
  }

  private static boolean holds(Job job, Lease lease) {
    return job.status() == JobStatus.PROCESSING
        && lease.workerId().equals(job.workerId())
        && job.attempts() == lease.attempt();
  }

  @Override
  public HeartbeatResult heartbeat(Collection<Lease> held, Duration leaseDuration) {
    Instant now = clock.instant();
    Instant until = now.plus(leaseDuration);
    Set<UUID> lost = new HashSet<>();
    Set<UUID> cancel = new HashSet<>();
    for (Lease lease : held) {
      Slot slot = jobs.get(lease.jobId());
      if (slot == null) {
        lost.add(lease.jobId());
        continue;
      }
      synchronized (slot) {
        Job job = slot.job;
        if (!holds(job, lease)) {
          lost.add(lease.jobId());
          continue;
        }
        moveLease(job, until);
        slot.job = job.toBuilder().leaseUntil(until).build();
        if (job.cancelRequested()) {
          cancel.add(job.id());
        }
      }
    }
    return new HeartbeatResult(lost, cancel);
  }

  private void moveLease(Job job, @Nullable Instant until) {
    if (job.leaseUntil() != null) {
      leases.remove(new Keys.Timed(job.leaseUntil(), job.id()));
    }
    if (until != null) {
      leases.add(new Keys.Timed(until, job.id()));
    }
  }

  @Override
  public Job reportProgress(WorkerProgress report) {
    Instant now = clock.instant();
    return fenced(report.lease(), (slot, job) -> withProgress(slot, job, report.progress(), report.message(), now));
  }

  @Override
  public Job updateProgress(OwnerProgress update) {
    Slot slot = ownedSlot(update.jobId(), update.ownerId());
    synchronized (slot) {
      Job job = slot.job;
      if (job.status() != JobStatus.PROCESSING) {
        throw new IllegalJobStateException(update.jobId(), job.status(), "update the progress of");
      }
      return withProgress(slot, job, update.progress(), update.message(), clock.instant());
    }
  }

  private Job withProgress(Slot slot, Job job, int progress, @Nullable String message, Instant now) {
    if (progress < job.progress()) {
      throw new InvalidRequestException(
          "progress", "progress must not go backwards: it is " + job.progress() + ", was given " + progress);
    }
    Job changed = job.toBuilder().progress(progress).progressMessage(message).updatedAt(now).build();
    slot.job = changed;
    events.append(JobEvent.Kind.PROGRESS, changed);
    return changed;
  }

  @Override
  public Job complete(Completion completion) {
    Instant now = clock.instant();
    String resultJson = completion.resultJson();
    Duration actualDuration = completion.actualDuration();
    return fenced(completion.lease(), (slot, job) -> {
      if (job.cancelRequested()) {
        return finish(slot, job, JobStatus.CANCELLED, now, b -> b);
      }
      recordDuration(job.type(), actualDuration);
      return finish(slot, job, JobStatus.COMPLETED, now,
          b -> b.result(resultJson).progress(100).actualDuration(actualDuration));
    });
  }

  @Override
  public Job fail(Failure failure) {
    Instant now = clock.instant();
    String errorMessage = failure.errorMessage();
    Instant retryAt = failure.retryAt();
    return fenced(failure.lease(), (slot, job) -> {
      if (job.cancelRequested()) {
        return finish(slot, job, JobStatus.CANCELLED, now, b -> b.errorMessage(errorMessage));
      }
      if (failure.deferred() && retryAt != null) {
        return backToPending(slot, job.toBuilder().deferrals(job.deferrals() + 1).build(), now,
            retryAt.isBefore(now) ? now : retryAt, job.attempts() - 1, errorMessage);
      }
      if (retryAt != null && job.attempts() < job.maxAttempts()) {
        return backToPending(slot, job, now, retryAt.isBefore(now) ? now : retryAt, job.attempts(), errorMessage);
      }
      return finish(slot, job, JobStatus.FAILED, now, b -> b.errorMessage(errorMessage));
    });
  }

  @Override
  public void appendOutput(OutputAppend append) {
    Instant now = clock.instant();
    fenced(append.lease(), (slot, job) -> {
      events.appendOutput(append.chunks(), job, now);
      return job;
    });
  }

  @Override
  public Job release(Lease lease) {
    Instant now = clock.instant();
    return fenced(lease, (slot, job) -> job.cancelRequested()
        ? finish(slot, job, JobStatus.CANCELLED, now, b -> b)
        : backToPending(slot, job, now, now, Math.max(0, job.attempts() - 1), job.errorMessage()));
  }

  @Override
  public Job acknowledgeCancel(Lease lease) {
    Instant now = clock.instant();
    return fenced(lease, (slot, job) -> finish(slot, job, JobStatus.CANCELLED, now, b -> b));
  }

  /** PROCESSING → PENDING at {@code runAt}; caller holds the job's lock. */
  private Job backToPending(Slot slot, Job job, Instant now, Instant runAt, int attempts, @Nullable String error) {
    moveLease(job, null);
    Job pending =
        job.toBuilder()
            .status(JobStatus.PENDING)
            .attempts(attempts)
            .runAt(runAt)
            .updatedAt(now)
            .workerId(null)
            .leaseUntil(null)
            .errorMessage(error)
            .build();
    slot.job = pending;
    enqueue(pending, now);
    events.append(JobEvent.Kind.RETRY_SCHEDULED, pending);
    return pending;
  }

  /** Moves a job to a final status; caller holds the job's lock. */
  private Job finish(Slot slot, Job job, JobStatus status, Instant now, java.util.function.UnaryOperator<Job.Builder> extra) {
    if (job.status() == JobStatus.PROCESSING) {
      moveLease(job, null);
    } else {
      dequeue(job);
    }
    Job done =
        extra.apply(job.toBuilder().status(status).updatedAt(now).finishedAt(now).workerId(null).leaseUntil(null))
            .build();
    slot.job = done;
    finished.add(new Keys.Timed(now, job.id()));
    if (status == JobStatus.COMPLETED && done.cacheKey() != null && done.cachedFrom() == null) {
      completedByCacheKey.computeIfAbsent(done.cacheKey(), k -> new ConcurrentSkipListSet<>(Keys.TIMED_ORDER))
          .add(new Keys.Timed(now, done.id()));
    }
    JobEvent.Kind kind =
        switch (status) {
          case COMPLETED -> JobEvent.Kind.COMPLETED;
          case FAILED -> JobEvent.Kind.FAILED;
          default -> JobEvent.Kind.CANCELLED;
        };
    events.append(kind, done);
    if (done.cacheKey() != null && job.cachedFrom() == null) {
      joins.ended(done.cacheKey(), done.id());
      endWaiting(done, now);
    }
    return done;
  }

  /**
   * The jobs waiting for {@code original}, which just ended: completed with its result, or, when it
   * did not complete, the oldest one released to run and the others waiting for that one. The
   * caller holds the original's lock; each waiting job's lock is taken after it (never the other way).
   */
  private void endWaiting(Job original, Instant now) {
    List<UUID> waiting = joins.close(original.id());
    if (original.status() == JobStatus.COMPLETED) {
      for (UUID id : waiting) {
        Slot slot = jobs.get(id);
        if (slot == null) {
          continue;
        }
        synchronized (slot) {
          Job w = slot.job;
          if (waitsFor(w, original)) {
            finish(slot, w, JobStatus.COMPLETED, now, b -> b.progress(100).result(original.result()));
            if (w.budgetReserved() != null) {
              owner(w.ownerId()).settleLater(w.id(), BudgetAmount.ZERO); // it consumed nothing
            }
          }
        }
      }
      return;
    }
    // Per owner, the oldest runs in the source's place and the others wait for it: a job never
    // comes to wait for another owner's job that it did not join itself.
    Map<String, List<UUID>> byOwner = new TreeMap<>();
    for (UUID id : waiting) {
      Slot slot = jobs.get(id);
      Job w = slot == null ? null : slot.job;
      if (w != null && waitsFor(w, original)) {
        byOwner.computeIfAbsent(w.ownerId(), o -> new ArrayList<>()).add(id);
      }
    }
    for (List<UUID> ids : byOwner.values()) {
      for (int i = 0; i < ids.size(); i++) {
        Slot runnerSlot = jobs.get(ids.get(i));
        if (runnerSlot == null) {
          continue;
        }
        // The runner's lock is held until its followers are on its list, so that it cannot run and
        // end before they are (lock order: source, runner, followers; never the other way).
        synchronized (runnerSlot) {
          Job r = runnerSlot.job;
          if (!waitsFor(r, original)) {
            continue; // cancelled meanwhile: the next one runs
          }
          List<UUID> followers = new ArrayList<>();
          for (UUID id : ids.subList(i + 1, ids.size())) {
            Slot slot = jobs.get(id);
            if (slot == null) {
              continue;
            }
            synchronized (slot) {
              if (waitsFor(slot.job, original)) {
                slot.job = slot.job.toBuilder().cachedFrom(r.id()).build(); // still waiting, for the runner
                followers.add(id);
              }
            }
          }
          joins.adopt(r.id(), followers);
          dequeue(r);
          Job free = r.toBuilder().cachedFrom(null).runAt(now).updatedAt(now).build();
          runnerSlot.job = free;
          enqueue(free, now);
          joins.started(Objects.requireNonNull(free.cacheKey()), free.id());
        }
        break;
      }
    }
  }

  private static boolean waitsFor(Job w, Job original) {
    return w.waitsForAnotherJob() && original.id().equals(w.cachedFrom());
  }

  private void recordDuration(String type, Duration d) {
    ArrayDeque<Duration> deque = recentDurations.computeIfAbsent(type, t -> new ArrayDeque<>());
    synchronized (deque) {
      deque.addFirst(d);
      if (deque.size() > RECENT_DURATIONS_KEPT) {
        deque.removeLast();
      }
    }
  }

  // ---------------------------------------------------------------- owner writes

  private Slot ownedSlot(UUID jobId, String ownerId) {
    Slot slot = jobs.get(jobId);
    if (slot == null || !slot.job.ownerId().equals(ownerId)) {
      throw new JobNotFoundException(jobId);
    }
    return slot;
  }

  @Override
  public Job cancel(String ownerId, UUID jobId) {
    Slot slot = ownedSlot(jobId, ownerId);
    Instant now = clock.instant();
    synchronized (slot) {
      Job job = slot.job;
      switch (job.status()) {
        case PENDING:
          return finish(slot, job, JobStatus.CANCELLED, now, b -> b);
        case PROCESSING:
          if (!job.cancelRequested()) {
            slot.job = job.toBuilder().cancelRequested(true).updatedAt(now).build();
            events.append(JobEvent.Kind.CANCEL_REQUESTED, slot.job);
          }
          return slot.job;
        default:
          throw new IllegalJobStateException(jobId, job.status(), "cancel");
      }
    }
  }

  // ---------------------------------------------------------------- operators

  @Override
  public Job retry(UUID jobId) {
    Slot slot = jobs.get(jobId);
    if (slot == null) {
      throw new JobNotFoundException(jobId);
    }
    Instant now = clock.instant();
    synchronized (slot) {
      if (jobs.get(jobId) != slot) {
        throw new JobNotFoundException(jobId); // deleted while we waited for it
      }
      Job job = slot.job;
      if (job.status() != JobStatus.FAILED && job.status() != JobStatus.CANCELLED) {
        throw new IllegalJobStateException(jobId, job.status(), "retry");
      }
      finished.remove(new Keys.Timed(Objects.requireNonNull(job.finishedAt()), jobId));
      Job again = job.toBuilder()
          .status(JobStatus.PENDING)
          .runAt(now)
          .updatedAt(now)
          .finishedAt(null)
          .result(null)
          .progress(0)
          .progressMessage(null)
          .cancelRequested(false)
          .cachedFrom(null) // a job that had joined another runs itself
          .maxAttempts(Math.max(job.maxAttempts(), job.attempts() + 1))
          .build();
      slot.job = again;
      enqueue(again, now);
      if (again.cacheKey() != null) {
        joins.started(again.cacheKey(), jobId);
      }
      events.append(JobEvent.Kind.RETRY_SCHEDULED, again);
      return again;
    }
  }

  @Override
  public Job delete(UUID jobId) {
    Slot slot = jobs.get(jobId);
    if (slot == null) {
      throw new JobNotFoundException(jobId);
    }
    Job job = slot.job;
    OwnerState state = owner(job.ownerId());
    state.lock.lock(); // the owner's lock, then the job's: as retention deletes
    try {
      synchronized (slot) {
        job = slot.job;
        if (jobs.get(jobId) != slot) {
          throw new JobNotFoundException(jobId); // deleted while we waited for it
        }
        if (!job.status().isFinal()) {
          throw new IllegalJobStateException(jobId, job.status(), "delete");
        }
        finished.remove(new Keys.Timed(Objects.requireNonNull(job.finishedAt()), jobId));
        forget(state, job);
        return job;
      }
    } finally {
      state.lock.unlock();
    }
  }

  /** Drops a finished job from every index; caller holds its owner's lock and its own. */
  private void forget(OwnerState state, Job job) {
    jobs.remove(job.id());
    Keys.Timed created = new Keys.Timed(job.createdAt(), job.id());
    state.byCreatedAt.remove(created);
    allByCreatedAt.remove(created);
    if (job.idempotencyKey() != null) {
      state.idempotencyKeys.remove(job.idempotencyKey(), job.id());
    }
  }

  @Override
  public List<FinishedCount> finishedCounts(Instant from, Instant to, Duration bucket) {
    long width = bucket.toNanos();
    if (width <= 0) {
      throw new IllegalArgumentException("bucket must be positive, was " + bucket);
    }
    // type -> bucket index -> {completed, failed, cancelled}
    Map<String, TreeMap<Long, long[]>> counts = new TreeMap<>();
    UUID lowest = new UUID(0L, 0L);
    for (Keys.Timed key : finished.subSet(new Keys.Timed(from, lowest), true, new Keys.Timed(to, lowest), false)) {
      Slot slot = jobs.get(key.id());
      if (slot == null) {
        continue;
      }
      Job job = slot.job;
      long index = Duration.between(from, key.at()).toNanos() / width;
      long[] c = counts.computeIfAbsent(job.type(), t -> new TreeMap<>()).computeIfAbsent(index, i -> new long[3]);
      switch (job.status()) {
        case COMPLETED -> c[0]++;
        case FAILED -> c[1]++;
        case CANCELLED -> c[2]++;
        default -> { } // retried since: not finished any more
      }
    }
    List<FinishedCount> out = new ArrayList<>();
    counts.forEach((type, byBucket) -> byBucket.forEach((index, c) -> {
      if (c[0] + c[1] + c[2] > 0) {
        out.add(new FinishedCount(type, from.plus(bucket.multipliedBy(index)), c[0], c[1], c[2]));
      }
    }));
    return out;
  }

  // ---------------------------------------------------------------- maintenance

  @Override
  public List<Job> rescueExpired(int limit) {
    Instant now = clock.instant();
    List<Job> rescued = new ArrayList<>();
    for (Keys.Timed key : leases) {
      if (rescued.size() >= limit || !key.at().isBefore(now)) {
        break;
      }
      Slot slot = jobs.get(key.id());
      if (slot == null) {
        leases.remove(key);
        continue;
      }
      synchronized (slot) {
        Job job = slot.job;
        if (job.status() != JobStatus.PROCESSING || !key.at().equals(job.leaseUntil())) {
          continue;
        }
        String why = "attempt " + job.attempts() + " abandoned: the lease of worker " + job.workerId()
            + " expired at " + job.leaseUntil();
        Job after;
        if (job.cancelRequested()) {
          after = finish(slot, job, JobStatus.CANCELLED, now, b -> b.errorMessage(why));
        } else if (job.attempts() < job.maxAttempts()) {
          after = backToPending(slot, job, now, now, job.attempts(), why);
        } else {
          after = finish(slot, job, JobStatus.FAILED, now, b -> b.errorMessage(why));
        }
        rescued.add(after);
      }
    }
    return rescued;
  }

  @Override
  public int deleteFinishedBefore(Instant cutoff, int limit) {
    int deleted = 0;
    for (Keys.Timed key : finished) {
      if (deleted >= limit || !key.at().isBefore(cutoff)) {
        break;
      }
      if (!finished.remove(key)) {
        continue; // an operator's retry or delete took it first
      }
      Slot slot = jobs.get(key.id());
      if (slot == null) {
        continue;
      }
      OwnerState state = owner(slot.job.ownerId());
      state.lock.lock();
      try {
        synchronized (slot) {
          Job job = slot.job;
          // Still the finished job this key names: not retried (and maybe finished again) meanwhile.
          if (jobs.get(job.id()) != slot || !job.status().isFinal() || !key.at().equals(job.finishedAt())) {
            continue;
          }
          forget(state, job);
        }
      } finally {
        state.lock.unlock();
      }
      deleted++;
    }
    Instant now = clock.instant();
    for (OwnerState state : owners.values()) {
      state.lock.lock();
      try {
        state.prune(now);
      } finally {
        state.lock.unlock();
      }
    }
    return deleted;
  }

  @Override
  public QuotaWindow quotaWindow(String ownerId) {
    OwnerState state = owners.get(ownerId);
    if (state == null) {
      return QuotaWindow.EMPTY;
    }
    state.lock.lock();
    try {
      return state.window(clock.instant());
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public void resetQuota(String ownerId) {
    OwnerState state = owners.get(ownerId);
    if (state == null) {
      return;
    }
    state.lock.lock();
    try {
      state.reset();
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public List<JobStats> stats(@Nullable String ownerId, @Nullable Instant since) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    Map<String, List<Duration>> durations = new HashMap<>();
    for (Slot slot : jobs.values()) {
      Job job = slot.job;
      if ((ownerId != null && !ownerId.equals(job.ownerId())) || (since != null && job.createdAt().isBefore(since))) {
        continue;
      }
      counts.computeIfAbsent(job.type(), t -> new long[JobStatus.values().length])[job.status().ordinal()]++;
      if (job.status() == JobStatus.COMPLETED && job.actualDuration() != null) {
        durations.computeIfAbsent(job.type(), t -> new ArrayList<>()).add(job.actualDuration());
      }
    }
    List<JobStats> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : new TreeMap<>(counts).entrySet()) {
      long[] c = e.getValue();
      List<Duration> d = new ArrayList<>(durations.getOrDefault(e.getKey(), List.of()));
      d.sort(Comparator.naturalOrder());
      out.add(JobStats.builder()
          .type(e.getKey())
          .pending(c[JobStatus.PENDING.ordinal()])
          .processing(c[JobStatus.PROCESSING.ordinal()])
          .completed(c[JobStatus.COMPLETED.ordinal()])
          .failed(c[JobStatus.FAILED.ordinal()])
          .cancelled(c[JobStatus.CANCELLED.ordinal()])
          .averageDuration(Percentiles.mean(d))
          .p50Duration(Percentiles.cont(d, 0.50))
          .p95Duration(Percentiles.cont(d, 0.95))
          .p99Duration(Percentiles.cont(d, 0.99))
          .build());
    }
    return out;
  }

  /** {@inheritDoc} Walks every job held; fine for the sizes an in-memory store holds. */
  @Override
  public List<QueueStats> queueStats() {
    Instant now = clock.instant();
    Map<String, QueueCount> byType = new TreeMap<>();
    for (Slot slot : jobs.values()) {
      Job job = slot.job;
      if (job.status() == JobStatus.PENDING || job.status() == JobStatus.PROCESSING) {
        byType.computeIfAbsent(job.type(), t -> new QueueCount()).count(job, now);
      }
    }
    List<QueueStats> out = new ArrayList<>(byType.size());
    byType.forEach((type, c) ->
        out.add(QueueStats.builder(type).pending(c.pending).due(c.due).running(c.running).oldestDueAt(c.oldestDue).build()));
    return out;
  }

  /** One type's unfinished jobs, counted by {@link #queueStats}. */
  private static final class QueueCount {
    long pending;
    long due;
    long running;
    @Nullable Instant oldestDue;

    void count(Job job, Instant now) {
      if (job.status() == JobStatus.PROCESSING) {
        running++;
        return;
      }
      pending++;
      if (!job.runAt().isAfter(now)) {
        due++;
        if (oldestDue == null || job.runAt().isBefore(oldestDue)) {
          oldestDue = job.runAt();
        }
      }
    }
  }

  @Override
  public List<Duration> recentDurations(String type, int limit) {
    ArrayDeque<Duration> deque = recentDurations.get(type);
    if (deque == null) {
      return List.of();
    }
    synchronized (deque) {
      List<Duration> out = new ArrayList<>(Math.min(limit, deque.size()));
      for (Duration d : deque) {
        if (out.size() >= limit) {
          break;
        }
        out.add(d);
      }
      return out;
    }
  }

  @Override
  public List<ScheduleRecord> schedules() {
    return schedules.all();
  }

  @Override
  public ScheduleRecord saveSchedule(String name, String definition, Instant nextRunAt) {
    return schedules.save(Objects.requireNonNull(name, "name"), Objects.requireNonNull(definition, "definition"),
        Objects.requireNonNull(nextRunAt, "nextRunAt"));
  }

  @Override
  public boolean removeSchedule(String name) {
    return schedules.remove(name);
  }

  @Override
  public boolean advanceSchedule(String name, Instant from, Instant to, @Nullable String state) {
    return schedules.advance(name, from, Objects.requireNonNull(to, "to"), state);
  }

  /** {@inheritDoc} Delivered on the store's one event thread. */
  @Override
  public void defineLimit(JobLimit limit) {
    limits.define(limit);
  }

  @Override
  public boolean removeLimit(String name) {
    return limits.remove(name);
  }

  @Override
  public void setPaused(String name, boolean paused) {
    limits.setPaused(name, paused);
  }

  @Override
  public void backOff(String name, Instant until) {
    limits.backOff(name, until);
  }

  @Override
  public void settleUnits(Lease lease, long units) {
    if (units < 0) {
      throw new InvalidRequestException("units", "units must not be negative, was " + units);
    }
    limits.settle(lease.jobId(), lease.attempt(), units);
  }

  @Override
  public void recordUsage(Lease lease, Usage usage) {
    fenced(lease, (slot, job) -> {
      Map<Integer, Usage> attempts = new TreeMap<>(job.attemptUsage());
      attempts.merge(lease.attempt(), usage, Usage::plus);
      Job added = job.toBuilder().usage(job.usage().plus(usage).requireStorable()).attemptUsage(attempts).build();
      slot.job = added;
      return added;
    });
  }

  @Override
  public List<UsageTotal> usageByType(@Nullable String ownerId, Instant from, Instant to) {
    NavigableSet<Keys.Timed> index;
    if (ownerId == null) {
      index = allByCreatedAt;
    } else {
      OwnerState state = owners.get(ownerId);
      if (state == null) {
        return List.of();
      }
      index = state.byCreatedAt;
    }
    Map<String, long[]> jobsByType = new TreeMap<>();
    Map<String, Usage> usageByType = new TreeMap<>();
    UUID lowest = new UUID(0L, 0L); // the first id in JobIds.ORDER: the window's bounds by time alone
    for (Keys.Timed key : index.subSet(new Keys.Timed(from, lowest), true, new Keys.Timed(to, lowest), false)) {
      Slot slot = jobs.get(key.id());
      if (slot != null) {
        Job job = slot.job;
        jobsByType.computeIfAbsent(job.type(), t -> new long[1])[0]++;
        usageByType.merge(job.type(), job.usage(), Usage::plus);
      }
    }
    List<UsageTotal> totals = new ArrayList<>();
    jobsByType.forEach((type, n) -> totals.add(new UsageTotal(type, n[0], usageByType.get(type))));
    return totals;
  }

  /**
   * Refuses the owner's new jobs when a bound's window has reached its value, or would pass it with
   * {@code requested}; caller holds the owner's lock.
   */
  private static void checkBudget(String owner, OwnerState state, List<BudgetBound> bounds, BudgetAmount requested) {
    for (BudgetBound b : bounds) {
      b.check(owner, state.budgetCounted(b.windowStart()), requested);
    }
  }

  @Override
  public Optional<Job> findRunning(String cacheKey, @Nullable String ownerId, Instant dueBy) {
    for (UUID id : joins.unfinished(cacheKey)) {
      Slot slot = jobs.get(id);
      Job job = slot == null ? null : slot.job;
      if (job != null && !job.status().isFinal() && job.cachedFrom() == null
          && (job.status() == JobStatus.PROCESSING || !job.runAt().isAfter(dueBy))
          && (ownerId == null || ownerId.equals(job.ownerId()))) {
        return Optional.of(job);
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<Job> findCached(String cacheKey, @Nullable String ownerId, Instant completedSince) {
    ConcurrentSkipListSet<Keys.Timed> completed = completedByCacheKey.get(cacheKey);
    if (completed == null) {
      return Optional.empty();
    }
    for (Keys.Timed t : completed.descendingSet()) {
      if (t.at().isBefore(completedSince)) {
        break;
      }
      Slot slot = jobs.get(t.id());
      if (slot == null) {
        completed.remove(t); // deleted by retention
        continue;
      }
      Job job = slot.job;
      if (job.status() == JobStatus.COMPLETED && (ownerId == null || ownerId.equals(job.ownerId()))) {
        return Optional.of(job);
      }
    }
    return Optional.empty();
  }

  @Override
  public void settleBudget(UUID jobId, BudgetAmount actual) {
    String ownerId = budgetOwners.get(jobId); // the record outlives the job: retention may have deleted it
    if (ownerId == null) {
      return;
    }
    OwnerState state = owner(ownerId);
    state.lock.lock();
    try {
      state.settle(jobId, actual);
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public BudgetAmount budgetCounted(String ownerId, Instant since) {
    OwnerState state = owners.get(ownerId);
    if (state == null) {
      return BudgetAmount.ZERO;
    }
    state.lock.lock();
    try {
      return state.budgetCounted(since);
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public List<LimitStatus> limits() {
    return limits.statuses(clock.instant(), this::runningUnder, this::waitingUnder);
  }

  /** PENDING jobs under {@code name}: a scan of every job, for an operator's occasional look. */
  private long waitingUnder(String name) {
    long n = 0;
    for (Slot slot : jobs.values()) {
      if (slot.job.status() == JobStatus.PENDING && slot.names.contains(name)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public Subscription subscribe(EventSubscription subscription, JobEventListener listener) {
    return events.subscribe(Objects.requireNonNull(subscription, "subscription"), Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public List<JobEvent> readEvents(EventQuery query) {
    UUID jobId = query.jobId();
    if (jobId != null) {
      return events.readJob(query.ownerId(), jobId, query.afterSequence(), query.limit());
    }
    return events.read(query.ownerId(), query.afterSequence(), query.limit());
  }

  @Override
  public int pruneEvents(Instant cutoff, int limit) {
    if (limit < 0) {
      throw new InvalidRequestException("limit", "limit must not be negative, was " + limit);
    }
    return events.prune(cutoff, limit);
  }

  /** {@return how many jobs the store holds (for diagnostics and tests)} */
  public int size() {
    return jobs.size();
  }

  @Override
  public void close() {
    events.close();
  }
}
