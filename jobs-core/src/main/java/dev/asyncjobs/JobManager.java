package dev.asyncjobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncjobs.internal.CheckedRequest;
import dev.asyncjobs.internal.CreateAdmission;
import dev.asyncjobs.internal.DurationEstimator;
import dev.asyncjobs.internal.EventFanout;
import dev.asyncjobs.internal.GeneratorRegistry;
import dev.asyncjobs.internal.Json;
import dev.asyncjobs.internal.PayloadTexts;
import dev.asyncjobs.internal.RegisteredGenerator;
import dev.asyncjobs.spi.EventQuery;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.InsertRequest;
import dev.asyncjobs.spi.JobIds;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.NewJob;
import dev.asyncjobs.spi.OwnerProgress;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spi.UsageTotal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import dev.asyncjobs.internal.BudgetSettler;
import dev.asyncjobs.spi.CachedResult;
import dev.asyncjobs.internal.CacheKeys;
import dev.asyncjobs.spi.BudgetBound;
import dev.asyncjobs.spi.BudgetCheck;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The facade an application calls: create, read, list, cancel and watch jobs, read statistics and
 * quotas, clean up. Every user-facing call takes the owner and treats another owner's job exactly
 * like an unknown id, and checks the owner id itself (1–200 printable characters, else {@link
 * InvalidRequestException}). Thread-safe; build one per application with {@link #builder()}.
 *
 * <pre>{@code
 * JobManager jobs = JobManager.builder()
 *     .store(new InMemoryJobStore())
 *     .generator(new MyImageGenerator())
 *     .build();
 * Job job = jobs.create(JobRequest.builder("user-1", "image_generation")
 *     .payload("{\"prompt\":\"a lighthouse at dusk\"}").build());
 * }</pre>
 */
public final class JobManager implements AutoCloseable {
  /** The id {@link #ping()} reads: the nil UUID, which {@link JobIds} never makes (v7 ids carry a time). */
  private static final UUID PING_ID = new UUID(0L, 0L);
  /** The default payload limit: 1 MiB of UTF-8. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

  /** The most {@linkplain JobRequest#metadata() metadata} entries a job may carry. */
  public static final int MAX_METADATA_ENTRIES = 16;
  /** The longest metadata value, in characters. */
  public static final int MAX_METADATA_VALUE_LENGTH = 512;

  private static final java.util.regex.Pattern METADATA_KEY = java.util.regex.Pattern.compile("[a-z0-9._-]{1,64}");
  private static final int MAX_OWNER_LENGTH = 200;
  private static final int MAX_KEY_LENGTH = 200;
  /** Progress messages are short status lines; event notifications carry at most this much. */
  private static final int MAX_PROGRESS_MESSAGE_LENGTH = 1000;
  private static final int MAX_ATTEMPTS_LIMIT = 100;
  private static final int CLEANUP_BATCH = 1000;
  private static final int MAX_EVENT_PAGE = 1000;
  private static final int PRUNE_BATCH = 10_000;
  /** One call prunes at most this many batches, so that it ends; the next call goes on. */
  private static final int MAX_PRUNE_BATCHES = 100;

  private final JobStore store;
  private final Clock clock;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobManager.class);
  private final GeneratorRegistry registry;
  private final ContentModerator moderator;
  private final QuotaPolicy quotaPolicy;
  private final PriceTable prices;
  private final BudgetPolicy budgetPolicy;
  private final BudgetSettler budgetSettler;
  /** By type, the result caches of the generators that declare one, when the store can keep them. */
  private final Map<String, ResultCache> caches;
  private final int maxPayloadBytes;
  private final int defaultPriority;
  private final int defaultMaxAttempts;
  private final DurationEstimator estimator;
  private final EventFanout fanout;
  private final Duration eventRetention;
  private final CreateAdmission admission;
  private final List<CreateInterceptor> interceptors;
  private final @Nullable EnclosingTransaction enclosingTransaction;

  private JobManager(Builder b) {
    this.store = Objects.requireNonNull(b.store);
    if (b.quotaPolicy != QuotaPolicy.unlimited() && !has(store, StoreCapability.QUOTAS)) {
      throw new UnsupportedCapabilityException(StoreCapability.QUOTAS, "a quota policy", store.getClass().getName(),
          "build the manager without quotaPolicy(...), or use a store that implements quotas");
    }
    if (b.budgetPolicy != BudgetPolicy.unlimited() && !has(store, StoreCapability.BUDGETS)) {
      throw new UnsupportedCapabilityException(StoreCapability.BUDGETS, "a budget policy", store.getClass().getName(),
          "build the manager without budgetPolicy(...), or use a store that keeps budgets");
    }
    if (b.enclosingTransaction != null && !has(store, StoreCapability.TRANSACTIONS)) {
      throw new UnsupportedCapabilityException(StoreCapability.TRANSACTIONS, "an enclosing transaction",
          store.getClass().getName(), "build the manager without enclosingTransaction(...), or use a store that joins transactions");
    }
    this.interceptors = List.copyOf(b.interceptors);
    this.enclosingTransaction = b.enclosingTransaction;
    this.clock = b.clock != null ? b.clock : store.clock();
    this.registry = new GeneratorRegistry(b.generators);
    this.moderator = b.moderator;
    this.quotaPolicy = b.quotaPolicy;
    this.prices = b.prices;
    this.budgetPolicy = b.budgetPolicy;
    this.budgetSettler = new BudgetSettler(store, prices);
    this.caches = cachesOf(b.generators, store);
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.defaultPriority = b.defaultPriority;
    this.defaultMaxAttempts = b.defaultMaxAttempts;
    this.estimator = new DurationEstimator(store, clock, b.estimateSampleSize, b.estimateMinSamples, b.estimateRefresh);
    this.fanout = new EventFanout(store, b.subscriberQueueCapacity, b.eventThreads);
    this.eventRetention = b.eventRetention;
    this.admission = new CreateAdmission(store, quotaPolicy, clock);
  }

  /**
   * Starts a builder; {@link Builder#store(JobStore)} is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Validates, moderates and stores a new job, checking the owner's quota atomically.
   *
   * <p>The checks run cheapest first, so that a request refused anyway never costs a moderation
   * call (which may be a paid remote request): validation, then, when there is text for a moderator
   * that {@linkplain ContentModerator#callsOut() calls out}, an idempotent replay (which returns
   * the stored job unmoderated) and the owner's quota, then the moderator, then the store's atomic
   * insert. When the manager has an {@link Builder#enclosingTransaction enclosing transaction} and
   * the calling thread is in one, the insert joins it (see {@link #create(JobRequest, Connection)}).
   *
   * @param request what to create: owner, type, payload and options
   * @return the stored job (PENDING), or the earlier job with the same idempotency key
   * @throws UnknownJobTypeException no generator for the type
   * @throws InvalidPayloadException payload not a JSON object or not matching the generator's record
   * @throws PayloadTooLargeException payload over the limit
   * @throws InvalidRequestException owner, priority, attempts or idempotency key out of range
   * @throws QuotaExceededException the owner's quota is used up
   * @throws IdempotencyConflictException the key was used with another payload
   * @throws ContentRejectedException moderation refused the text
   */
  public Job create(JobRequest request) {
    return createAll(List.of(request)).get(0);
  }

  /**
   * Creates a job inside the caller's open transaction, as {@link #create(JobRequest)} does
   * otherwise: workers see it only once {@code transaction} commits, and a rollback removes it with
   * its events and quota use. The manager neither commits nor closes the connection; a refused
   * create (any of the exceptions of {@link #create(JobRequest)}) leaves the transaction usable.
   * Another transaction's creates and claims do not wait for this one, except creates of the same
   * owner under a quota, and creates with the same idempotency key, which wait for it to end.
   *
   * <pre>{@code
   * try (Connection c = dataSource.getConnection()) {
   *   c.setAutoCommit(false);
   *   insertOrder(c, order);
   *   jobs.create(JobRequest.of(order.customer(), INVOICE, new Invoice(order.id())), c);
   *   c.commit(); // the invoice job runs only if the order exists
   * }
   * }</pre>
   *
   * @param request what to create
   * @param transaction the connection of the caller's open transaction (not in auto-commit)
   * @return the stored job, visible to others once the transaction commits
   * @throws UnsupportedCapabilityException the store cannot join transactions ({@link
   *     StoreCapability#TRANSACTIONS})
   */
  public Job create(JobRequest request, Connection transaction) {
    return createAll(List.of(request), Objects.requireNonNull(transaction, "transaction")).get(0);
  }

  /**
   * {@link #createAll(List)} inside the caller's open transaction, as {@link #create(JobRequest,
   * Connection)} describes.
   *
   * @param requests what to create, all or nothing
   * @param transaction the connection of the caller's open transaction (not in auto-commit)
   * @return the stored jobs, in the order of {@code requests}
   * @throws UnsupportedCapabilityException the store cannot join transactions
   */
  public List<Job> createAll(List<JobRequest> requests, Connection transaction) {
    return createAll(requests, Objects.requireNonNull(transaction, "transaction"), true);
  }

  /**
   * Creates several jobs all-or-nothing: when any request is refused, none is stored. Messages of
   * validation errors start with the request's index. The checks run in the order of {@link
   * #create}, each over the whole batch.
   *
   * @param requests the requests, in order
   * @return the stored jobs (or the earlier ones of idempotent replays), in the order of the
   *     requests
   */
  public List<Job> createAll(List<JobRequest> requests) {
    return createAll(requests, enclosingTransaction == null ? null : enclosingTransaction.current(), false);
  }

  private List<Job> createAll(List<JobRequest> given, @Nullable Connection transaction, boolean explicit) {
    if (transaction != null && !has(store, StoreCapability.TRANSACTIONS)) {
      throw new UnsupportedCapabilityException(StoreCapability.TRANSACTIONS, "a create in the caller's transaction",
          store.getClass().getName(), "create without a connection, or use a store that joins transactions");
    }
    if (given.isEmpty()) {
      return List.of();
    }
    List<JobRequest> requests = intercepted(given);
    List<CheckedRequest> checked = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      checked.add(check(requests.get(i), requests.size() > 1 ? "request " + i + ": " : ""));
    }
    boolean[] replayed = new boolean[checked.size()];
    if (moderator.callsOut() && checked.stream().anyMatch(c -> !c.texts().isEmpty())) {
      List<CheckedRequest> fresh = new ArrayList<>();
      for (int i = 0; i < checked.size(); i++) {
        replayed[i] = admission.replayOf(checked.get(i)).isPresent();
        if (!replayed[i]) {
          fresh.add(checked.get(i));
        }
      }
      admission.checkQuotas(fresh);
    }
    for (int i = 0; i < checked.size(); i++) {
      if (!replayed[i] && !checked.get(i).texts().isEmpty()) {
        moderate(checked.get(i));
      }
    }
    List<NewJob> prepared = new ArrayList<>(checked.size());
    for (CheckedRequest c : checked) {
      prepared.add(toNewJob(c));
    }
    List<Job> stored = store.insert(new InsertRequest(prepared, quotaPolicy, transaction, budgetCheck(checked, prepared)));
    if (!interceptors.isEmpty()) {
      List<Job> created = new ArrayList<>(stored.size());
      for (int i = 0; i < stored.size(); i++) {
        if (stored.get(i).id().equals(prepared.get(i).id())) { // else an idempotent replay's earlier job
          created.add(stored.get(i));
        }
      }
      for (CreateInterceptor interceptor : interceptors) {
        interceptor.afterCreate(List.copyOf(created));
      }
    }
    return stored;
  }

  /**
   * The budget bounds of the batch's owners (the current UTC day and month) and what each new job
   * reserves: its generator's estimate, priced. Nothing when no owner of the batch has a budget.
   */
  private BudgetCheck budgetCheck(List<CheckedRequest> checked, List<NewJob> prepared) {
    if (budgetPolicy == BudgetPolicy.unlimited()) {
      return BudgetCheck.NONE;
    }
    ZonedDateTime day = today();
    ZonedDateTime month = day.withDayOfMonth(1);
    Map<String, List<BudgetBound>> bounds = new HashMap<>();
    Map<UUID, BudgetAmount> reservations = new HashMap<>();
    for (int i = 0; i < prepared.size(); i++) {
      String owner = prepared.get(i).ownerId();
      CachedResult cached = prepared.get(i).cached();
      if (cached != null && !cached.joins()) {
        continue; // answered from the cache: nothing runs, nothing is spent
      }
      // A job that joins another reserves as if it ran, since it does if that one fails; what
      // it spent is settled (to nothing) when it completes with that one.
      BudgetLimits limits = budgetPolicy.limitsFor(owner);
      if (limits == null || limits.isUnlimited()) {
        continue;
      }
      if (!bounds.containsKey(owner)) {
        if (limits.currency() != null && !limits.currency().equals(prices.currency())) {
          throw new JobConfigurationException("the budget of owner " + owner + " is in " + limits.currency()
              + ", the price table in " + prices.currency() + ": give both the same currency");
        }
        List<BudgetBound> b = new ArrayList<>();
        addBound(b, BudgetExceededException.Limit.COST_PER_DAY, limits.costPerDay(), day, day.plusDays(1));
        addBound(b, BudgetExceededException.Limit.COST_PER_MONTH, limits.costPerMonth(), month, month.plusMonths(1));
        addBound(b, BudgetExceededException.Limit.TOKENS_PER_DAY,
            limits.tokensPerDay() == null ? null : BigDecimal.valueOf(limits.tokensPerDay()), day, day.plusDays(1));
        addBound(b, BudgetExceededException.Limit.TOKENS_PER_MONTH,
            limits.tokensPerMonth() == null ? null : BigDecimal.valueOf(limits.tokensPerMonth()), month, month.plusMonths(1));
        bounds.put(owner, b);
      }
      reservations.put(prepared.get(i).id(), BudgetAmount.of(checked.get(i).usageEstimate(), prices));
    }
    return bounds.isEmpty() ? BudgetCheck.NONE : new BudgetCheck(bounds, reservations);
  }

  /** The start of the current UTC day: budgets count calendar days and months in UTC. */
  private ZonedDateTime today() {
    return clock.instant().atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
  }

  private static void addBound(List<BudgetBound> to, BudgetExceededException.Limit limit, @Nullable BigDecimal value,
      ZonedDateTime start, ZonedDateTime end) {
    if (value != null) {
      to.add(new BudgetBound(limit, value, start.toInstant(), end.toInstant()));
    }
  }

  /**
   * {@return an owner's budget now: its limits, and what its jobs of the current UTC day and month
   * count (finished jobs what they consumed, unfinished ones their reservation)}
   *
   * @param ownerId the owner
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#BUDGETS}
   */
  public BudgetStatus budget(String ownerId) {
    requireOwner(ownerId);
    if (!has(store, StoreCapability.BUDGETS)) {
      throw new UnsupportedCapabilityException(StoreCapability.BUDGETS, "JobManager.budget(ownerId)", store.getClass().getName(),
          "use a store that keeps budgets");
    }
    ZonedDateTime day = today();
    ZonedDateTime month = day.withDayOfMonth(1);
    BudgetLimits limits = budgetPolicy.limitsFor(ownerId);
    return new BudgetStatus(limits == null ? BudgetLimits.NONE : limits, prices.currency(),
        store.budgetCounted(ownerId, day.toInstant()), store.budgetCounted(ownerId, month.toInstant()),
        day.plusDays(1).toInstant(), month.plusMonths(1).toInstant());
  }

  private static Map<String, ResultCache> cachesOf(List<Generator<?>> generators, JobStore store) {
    Map<String, ResultCache> caches = new HashMap<>();
    for (Generator<?> g : generators) {
      ResultCache c = g.resultCache();
      if (c != null) {
        caches.put(g.type(), c);
      }
    }
    if (!caches.isEmpty() && !has(store, StoreCapability.RESULT_CACHE)) {
      LOG.info("{} does not keep a result cache (StoreCapability.RESULT_CACHE): jobs of {} run every time",
          store.getClass().getName(), new java.util.TreeSet<>(caches.keySet()));
      return Map.of();
    }
    return Map.copyOf(caches);
  }

  /** {@return what settles budgeted jobs when they end: the worker's first listener} */
  BudgetSettler budgetSettler() {
    return budgetSettler;
  }

  private List<JobRequest> intercepted(List<JobRequest> requests) {
    if (interceptors.isEmpty()) {
      return requests;
    }
    List<JobRequest> out = new ArrayList<>(requests.size());
    for (JobRequest r : requests) {
      JobRequest changed = r;
      for (CreateInterceptor interceptor : interceptors) {
        changed = Objects.requireNonNull(interceptor.beforeCreate(changed), "beforeCreate returned null");
      }
      out.add(changed);
    }
    return out;
  }

  private CheckedRequest check(JobRequest r, String where) {
    try {
      return check(r);
    } catch (InvalidPayloadException e) {
      throw where.isEmpty() ? e : new InvalidPayloadException(e.field(), where + e.getMessage());
    } catch (UnknownJobTypeException | PayloadTooLargeException e) {
      throw e;
    } catch (InvalidRequestException e) {
      throw where.isEmpty() ? e : new InvalidRequestException(e.field(), where + e.getMessage());
    }
  }

  /** Checks {@code r} as {@link #create} does, without moderation and without storing anything (a schedule's job). */
  void validate(JobRequest r) {
    check(r);
  }

  private CheckedRequest check(JobRequest r) {
    requireOwner(r.ownerId());
    RegisteredGenerator<?> generator = registry.get(r.type());
    JsonNode tree = parsePayload(r.payload());
    int priority = r.priority() == null ? defaultPriority : r.priority();
    if (priority < JobRequest.MIN_PRIORITY || priority > JobRequest.MAX_PRIORITY) {
      throw new InvalidRequestException("priority", "priority must be 1-10, was " + priority);
    }
    int maxAttempts = r.maxAttempts() == null ? defaultMaxAttempts : r.maxAttempts();
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
      throw new InvalidRequestException(
          "maxAttempts", "maxAttempts must be 1-" + MAX_ATTEMPTS_LIMIT + ", was " + maxAttempts);
    }
    String key = r.idempotencyKey();
    if (key != null && (key.isBlank() || key.length() > MAX_KEY_LENGTH || !isPrintable(key))) {
      throw new InvalidRequestException(
          "idempotencyKey", "idempotencyKey must be 1-" + MAX_KEY_LENGTH + " printable characters");
    }
    checkMetadata(r.metadata());
    return bind(generator, tree, r, priority, maxAttempts);
  }

  private static void checkMetadata(Map<String, String> metadata) {
    if (metadata.size() > MAX_METADATA_ENTRIES) {
      throw new InvalidRequestException(
          "metadata", "metadata may have at most " + MAX_METADATA_ENTRIES + " entries, had " + metadata.size());
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (!METADATA_KEY.matcher(e.getKey()).matches()) {
        String k = e.getKey();
        throw new InvalidRequestException("metadata", "a metadata key must be 1-64 of a-z, 0-9, '.', '_' and '-', was "
            + (isPrintable(k) && k.length() <= 64 ? "\"" + k + "\"" : "one of " + k.length() + " characters"));
      }
      String v = e.getValue();
      if (v.length() > MAX_METADATA_VALUE_LENGTH || !isPrintable(v)) {
        throw new InvalidRequestException("metadata", "metadata value of " + e.getKey() + " must be at most "
            + MAX_METADATA_VALUE_LENGTH + " printable characters, was " + v.length() + " characters"
            + (isPrintable(v) ? "" : " with control characters"));
      }
    }
  }

  private <P> CheckedRequest bind(RegisteredGenerator<P> g, JsonNode tree, JobRequest r, int priority, int maxAttempts) {
    // Collecting the texts also refuses what no store keeps (NUL, unpaired surrogates), field
    // names included: before binding, so that such a payload gets that reason.
    List<String> allTexts = PayloadTexts.collect(tree);
    P payload = g.bind(tree);
    List<String> texts = g.moderationText(payload);
    List<String> toCheck = texts == null ? allTexts : List.copyOf(texts);
    return new CheckedRequest(r, tree, toCheck, g.estimate(payload), priority, maxAttempts, g.estimateUnits(payload),
        g.estimateUsage(payload));
  }

  private void moderate(CheckedRequest c) {
    ModerationResult verdict = moderator.moderate(c.request().ownerId(), c.request().type(), c.texts());
    if (verdict.flagged()) {
      throw new ContentRejectedException(verdict.categories(), verdict.reason());
    }
  }

  private NewJob toNewJob(CheckedRequest c) {
    JobRequest r = c.request();
    Instant now = clock.instant();
    Instant runAt = r.runAt() == null || r.runAt().isBefore(now) ? now : r.runAt();
    ResultCache cache = caches.get(r.type());
    String cacheKey = null;
    CachedResult cached = null;
    if (cache != null) {
      // The key goes on every job of the type, so that a job that ran (a "regenerate" too) answers later requests.
      cacheKey = CacheKeys.of(r.type(), cache, r.ownerId(), c.tree());
      if (r.useCache()) {
        String owner = cache.shareableAcrossOwners() ? null : r.ownerId();
        String key = cacheKey;
        cached = store.findCached(key, owner, now.minus(cache.ttl()))
            .filter(j -> j.result() != null)
            .map(j -> new CachedResult(j.id(), Objects.requireNonNull(j.result())))
            // None completed: a request due now joins the same request running (or due), if any.
            .or(() -> runAt.isAfter(now) ? Optional.empty()
                : store.findRunning(key, owner, now).map(j -> CachedResult.joining(j.id())))
            .orElse(null);
      }
    }
    return new NewJob(
        JobIds.newId(clock), r.ownerId(), r.type(), Json.write(c.tree()), c.priority(), c.maxAttempts(), runAt,
        estimator.estimate(r.type(), c.estimate()), r.idempotencyKey(), r.metadata(),
        registry.resourcesOf(r.type()), c.units(), cacheKey, cached);
  }

  private JsonNode parsePayload(String payload) {
    // A UTF-8 byte is at most 3 per char of a Java string; count exactly only near the limit.
    if ((long) payload.length() * 3 > maxPayloadBytes) {
      long bytes = payload.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxPayloadBytes) {
        throw new PayloadTooLargeException(bytes, maxPayloadBytes);
      }
    }
    JsonNode tree;
    try {
      tree = Json.mapper().readTree(payload);
    } catch (StreamConstraintsException e) {
      throw new InvalidPayloadException(
          "payload", "payload is nested too deeply (at most " + Json.MAX_NESTING_DEPTH + " levels)");
    } catch (JsonProcessingException e) {
      throw new InvalidPayloadException("payload", "payload is not valid JSON: " + e.getOriginalMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidPayloadException(
          "payload", "payload must be a JSON object, was " + (tree == null ? "empty" : tree.getNodeType().name().toLowerCase()));
    }
    return tree;
  }

  /**
   * No control character and no unpaired UTF-16 surrogate. Such a surrogate is not text: the
   * PostgreSQL driver writes it as '?', so two different owners (or keys) would become one.
   */
  private static boolean isPrintable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        return false;
      }
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Checks an owner id; every owner-scoped call does, so that no store sees one it could mangle. */
  private static void requireOwner(String ownerId) {
    Objects.requireNonNull(ownerId, "ownerId");
    if (ownerId.isBlank() || ownerId.length() > MAX_OWNER_LENGTH || !isPrintable(ownerId)) {
      throw new InvalidRequestException(
          "ownerId", "ownerId must be 1-" + MAX_OWNER_LENGTH + " printable characters");
    }
  }

  /**
   * The owner's job, if it exists and belongs to the owner.
   *
   * @param ownerId the owner
   * @param jobId the job's id
   * @return the job, or empty when it does not exist or belongs to another owner
   */
  public Optional<Job> find(String ownerId, UUID jobId) {
    requireOwner(ownerId);
    return store.find(ownerId, jobId);
  }

  /**
   * The owner's job.
   *
   * @param ownerId the owner
   * @param jobId the job's id
   * @return the job
   * @throws JobNotFoundException unknown id or another owner's job
   */
  public Job get(String ownerId, UUID jobId) {
    return find(ownerId, jobId).orElseThrow(() -> new JobNotFoundException(jobId));
  }

  /**
   * A page of one owner's jobs.
   *
   * @param query the owner, filters, order and page size
   * @return the page, with the cursor of the next one
   * @throws InvalidRequestException when the query names no owner (use {@link JobQuery#forOwner})
   */
  public Page<Job> list(JobQuery query) {
    if (query.ownerId() == null) {
      throw new InvalidRequestException("ownerId", "list needs an owner; use JobQuery.forOwner(owner)");
    }
    requireOwner(query.ownerId());
    return store.query(query);
  }

  /**
   * Cancels the owner's job: a PENDING job at once, a PROCESSING one cooperatively.
   *
   * @param ownerId the owner
   * @param jobId the job's id
   * @return the job: CANCELLED, or PROCESSING with {@link Job#cancelRequested()} set
   * @throws JobNotFoundException unknown id or another owner's job
   * @throws IllegalJobStateException the job already finished
   */
  public Job cancel(String ownerId, UUID jobId) {
    requireOwner(ownerId);
    Job after = store.cancel(ownerId, jobId);
    budgetSettler.settle(after); // a PENDING job ends here; a running one when its worker acknowledges
    return after;
  }

  /**
   * Sets the progress of the owner's PROCESSING job (for workers outside this library that report
   * through the API).
   *
   * @param ownerId the owner
   * @param jobId the job's id
   * @param progress the new progress, 0–100, not below the current one
   * @param message an optional short message shown with the progress
   * @return the job with its new progress
   * @throws InvalidRequestException progress outside 0–100 or going backwards, or a message over 1000
   *     characters or with control characters
   * @throws JobNotFoundException unknown id or another owner's job
   * @throws IllegalJobStateException the job is not PROCESSING
   */
  public Job updateProgress(String ownerId, UUID jobId, int progress, @Nullable String message) {
    requireOwner(ownerId);
    OwnerProgress update = new OwnerProgress(ownerId, jobId, progress, message); // checks the range
    if (message != null && (message.length() > MAX_PROGRESS_MESSAGE_LENGTH || !isPrintable(message))) {
      throw new InvalidRequestException(
          "message", "message must be at most " + MAX_PROGRESS_MESSAGE_LENGTH + " printable characters, was "
              + message.length() + " characters" + (isPrintable(message) ? "" : " with control characters"));
    }
    return store.updateProgress(update);
  }

  /**
   * Delivers the events of one owner's jobs from now on, in sequence order, until the subscription
   * is closed. {@link Subscription#startedAfter()} is the position to resume after if nothing
   * arrived.
   *
   * @param ownerId the owner whose events are delivered
   * @param listener called with each event, on one of the event threads
   * @return the subscription; close it to stop the delivery
   */
  public Subscription subscribe(String ownerId, JobEventListener listener) {
    requireOwner(ownerId);
    return fanout.subscribe(EventSubscription.owner(ownerId), listener);
  }

  /**
   * Resumes a subscription: delivers the owner's events with a sequence greater than {@code
   * afterSequence} (the last one the caller saw), those kept in the log first, then the live ones,
   * each once and in order.
   *
   * @param ownerId the owner whose events are delivered
   * @param afterSequence the sequence of the last event the caller saw
   * @param listener called with each event, on one of the event threads
   * @return the subscription; close it to stop the delivery
   * @throws EventsPrunedException the log no longer holds events after that position: re-list the
   *     jobs and subscribe from now
   * @throws InvalidRequestException a negative position, or one beyond the newest event
   */
  public Subscription subscribe(String ownerId, long afterSequence, JobEventListener listener) {
    requireOwner(ownerId);
    return fanout.subscribe(EventSubscription.owner(ownerId).after(afterSequence), listener);
  }

  /**
   * Delivers every owner's events (operators, metrics) from now on, until the subscription is closed.
   *
   * @param listener called with each event, on one of the event threads
   * @return the subscription; close it to stop the delivery
   */
  public Subscription subscribeAll(JobEventListener listener) {
    return fanout.subscribe(EventSubscription.allOwners(), listener);
  }

  /**
   * Every owner's events after {@code afterSequence}, then the live ones.
   *
   * @param afterSequence the sequence of the last event the caller saw
   * @param listener called with each event, on one of the event threads
   * @return the subscription; close it to stop the delivery
   * @throws EventsPrunedException the log no longer holds events after that position
   * @throws InvalidRequestException a negative position, or one beyond the newest event
   */
  public Subscription subscribeAll(long afterSequence, JobEventListener listener) {
    return fanout.subscribe(EventSubscription.allOwners().after(afterSequence), listener);
  }

  /**
   * Up to {@code limit} (1–1000) of the owner's events after {@code afterSequence}, in sequence
   * order: for clients that poll instead of subscribing, and for a stream that catches up at its
   * own pace. Fewer (maybe none) when no more are settled yet.
   *
   * @param ownerId the owner whose events are read
   * @param afterSequence the sequence of the last event the caller saw
   * @param limit the most events to return, 1–1000
   * @return the events, oldest first; empty when none is settled yet
   * @throws EventsPrunedException the log no longer holds events after that position
   * @throws InvalidRequestException a bad owner, a negative position or one beyond the newest
   *     event, or a limit outside 1–1000
   */
  public List<JobEvent> readEvents(String ownerId, long afterSequence, int limit) {
    requireOwner(ownerId);
    EventQuery query = EventQuery.owner(ownerId, afterSequence, limit); // checks the position
    if (limit < 1 || limit > MAX_EVENT_PAGE) {
      throw new InvalidRequestException("limit", "limit must be 1-" + MAX_EVENT_PAGE + ", was " + limit);
    }
    return store.readEvents(query);
  }

  /**
   * What the owner's job has streamed so far in its current attempt (text and parts), read from
   * the event log: for clients that cannot keep a stream open, and for one that starts watching a
   * running job. Resume the owner's event stream after {@link JobOutput#lastSequence()} to get the
   * rest without gaps or repeats.
   *
   * @param ownerId the owner
   * @param jobId the job's id
   * @return the output so far; empty text and no parts when nothing was streamed
   * @throws JobNotFoundException unknown id or another owner's job
   */
  public JobOutput output(String ownerId, UUID jobId) {
    Job job = get(ownerId, jobId);
    OutputReader reader = new OutputReader();
    long after = 0;
    boolean truncated = false;
    while (true) {
      List<JobEvent> page;
      try {
        page = store.readEvents(EventQuery.job(ownerId, jobId, after, MAX_EVENT_PAGE));
      } catch (EventsPrunedException e) {
        truncated = true;
        after = e.oldestAvailableAfter();
        continue;
      }
      page.forEach(reader::accept);
      if (page.size() < MAX_EVENT_PAGE) {
        break;
      }
      after = page.get(page.size() - 1).sequence();
    }
    return reader.output(job, truncated);
  }

  /** Folds a job's events into its latest attempt's output. */
  private static final class OutputReader {
    private final StringBuilder text = new StringBuilder();
    private final List<JsonNode> parts = new ArrayList<>();
    private int attempt;
    private long last;

    void accept(JobEvent e) {
      last = e.sequence();
      if (!e.kind().isOutput()) {
        return;
      }
      if (e.attempt() != attempt || e.kind() == JobEvent.Kind.OUTPUT_RESTARTED) {
        text.setLength(0);
        parts.clear();
        attempt = e.attempt();
      }
      String data = e.data();
      if (data == null) {
        return;
      }
      if (e.kind() == JobEvent.Kind.TEXT_DELTA) {
        text.append(data);
      } else if (e.kind() == JobEvent.Kind.OUTPUT_PART) {
        parts.add(Json.parse(data));
      }
    }

    JobOutput output(Job job, boolean truncated) {
      return new JobOutput(job.id(), job.status(), attempt, text.toString(), parts, last, truncated);
    }
  }

  /**
   * Deletes the events older than the event retention from the store's log, in bounded batches
   * (running workers do this by themselves every minute).
   *
   * @return how many events were deleted
   */
  public int pruneEvents() {
    Instant cutoff = clock.instant().minus(eventRetention);
    int total = 0;
    for (int i = 0; i < MAX_PRUNE_BATCHES; i++) {
      int n = store.pruneEvents(cutoff, PRUNE_BATCH);
      total += n;
      if (n < PRUNE_BATCH) {
        break;
      }
    }
    return total;
  }

  /** {@return how long the store's log keeps events, so that subscribers can resume within it} */
  public Duration eventRetention() {
    return eventRetention;
  }

  /**
   * {@return per-type statistics over every owner's jobs}
   *
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#STATISTICS}
   */
  public List<JobStats> stats() {
    requireStatistics("stats()");
    return store.stats(null, null);
  }

  /**
   * {@return per-type statistics over one owner's jobs}
   *
   * @param ownerId the owner
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#STATISTICS}
   */
  public List<JobStats> stats(String ownerId) {
    requireOwner(ownerId);
    requireStatistics("stats(ownerId)");
    return store.stats(ownerId, null);
  }

  /**
   * {@return the queue of every type with unfinished jobs, across owners: pending, due and running
   * counts and the oldest due job's run time} For gauges and operators (never hand it to a tenant):
   * it reads only unfinished jobs, but still every one of them, so callers cache it (the metrics
   * module reads it at most every few seconds).
   *
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#STATISTICS}
   */
  public List<QueueStats> queueStats() {
    requireStatistics("queueStats()");
    return store.queueStats();
  }

  /** The longest window {@link #usage} adds up. */
  public static final Duration MAX_USAGE_WINDOW = Duration.ofDays(400);

  /**
   * {@return what one owner's jobs created in {@code [from, to)} consumed and cost, by type}
   *
   * @param ownerId the owner
   * @param from the window's start, inclusive
   * @param to the window's end, exclusive: after {@code from}, at most {@link #MAX_USAGE_WINDOW} later
   * @throws InvalidRequestException the window is empty, reversed or too long
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#USAGE}
   */
  public UsageReport usage(String ownerId, Instant from, Instant to) {
    requireOwner(ownerId);
    return usageReport(ownerId, from, to, "usage(ownerId, from, to)");
  }

  /**
   * {@return what every owner's jobs created in {@code [from, to)} consumed and cost, by type} An
   * operator's report: it reads every job of the window. Never hand it to a tenant.
   *
   * @param from the window's start, inclusive
   * @param to the window's end, exclusive: after {@code from}, at most {@link #MAX_USAGE_WINDOW} later
   * @throws InvalidRequestException the window is empty, reversed or too long
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#USAGE}
   */
  public UsageReport usageOfAllOwners(Instant from, Instant to) {
    return usageReport(null, from, to, "usageOfAllOwners(from, to)");
  }

  private UsageReport usageReport(@Nullable String ownerId, Instant from, Instant to, String call) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!to.isAfter(from)) {
      throw new InvalidRequestException("to", "the window's end must be after its start (" + from + "), was " + to);
    }
    if (Duration.between(from, to).compareTo(MAX_USAGE_WINDOW) > 0) {
      throw new InvalidRequestException("to", "a usage window is at most " + MAX_USAGE_WINDOW.toDays() + " days, this one "
          + Duration.between(from, to).toDays());
    }
    if (!has(store, StoreCapability.USAGE)) {
      throw new UnsupportedCapabilityException(StoreCapability.USAGE, "JobManager." + call, store.getClass().getName(),
          "use a store that keeps usage (both bundled stores do)");
    }
    List<UsageReport.Line> lines = new ArrayList<>();
    long jobs = 0;
    Usage total = Usage.NONE;
    for (UsageTotal t : store.usageByType(ownerId, from, to)) {
      lines.add(new UsageReport.Line(t.type(), t.jobs(), t.usage(), prices.costOf(t.usage())));
      jobs += t.jobs();
      total = total.plus(t.usage());
    }
    return new UsageReport(from, to, lines, new UsageReport.Line(null, jobs, total, prices.costOf(total)),
        prices.unpriced(total));
  }

  /** {@return the prices {@link #usage} reports costs with} */
  public PriceTable prices() {
    return prices;
  }

  private void requireStatistics(String call) {
    if (!has(store, StoreCapability.STATISTICS)) {
      throw new UnsupportedCapabilityException(StoreCapability.STATISTICS, "JobManager." + call, store.getClass().getName(),
          "use a store that implements statistics");
    }
  }

  private static boolean has(JobStore store, StoreCapability capability) {
    return store.capabilities().contains(capability);
  }

  /**
   * Deletes finished jobs that finished longer than {@code retention} ago, in batches.
   *
   * @param retention how long a finished job is kept
   * @return how many jobs were deleted
   */
  public int cleanup(Duration retention) {
    if (retention.isNegative()) {
      throw new InvalidRequestException("retention", "retention must not be negative, was " + retention);
    }
    Instant cutoff = clock.instant().minus(retention);
    int total = 0;
    int n;
    do {
      n = store.deleteFinishedBefore(cutoff, CLEANUP_BATCH);
      total += n;
    } while (n == CLEANUP_BATCH);
    return total;
  }

  /**
   * {@return the owner's quota: limits, recent use, and when the next create is allowed} On a store
   * without {@link StoreCapability#QUOTAS} (so without a quota policy): unlimited, nothing used.
   *
   * @param ownerId the owner
   */
  public QuotaUsage quotaUsage(String ownerId) {
    requireOwner(ownerId);
    QuotaWindow window = has(store, StoreCapability.QUOTAS) ? store.quotaWindow(ownerId) : QuotaWindow.EMPTY;
    return QuotaUsage.of(ownerId, quotaPolicy.limitsFor(ownerId), window, clock.instant());
  }

  /**
   * Starts the owner's quota afresh.
   *
   * @param ownerId the owner
   */
  public void resetQuota(String ownerId) {
    requireOwner(ownerId);
    if (has(store, StoreCapability.QUOTAS)) { // without quotas there is nothing to forget
      store.resetQuota(ownerId);
    }
  }

  /**
   * Defines or replaces a limit that every worker on the store obeys together: on a job type (a
   * limit named like the type) or on a resource that generators declare ({@link
   * Generator#resources()}). Takes effect at the next claim of every worker; a pause or back-off on
   * the name stays. Operator-only: never hand it to a tenant.
   *
   * @param limit the bounds
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#LIMITS}
   */
  public void defineLimit(JobLimit limit) {
    Objects.requireNonNull(limit, "limit");
    requireLimits("defineLimit(limit)");
    store.defineLimit(limit);
    LOG.info("limit defined: {}", limit);
  }

  /**
   * Removes a limit's bounds; a pause or back-off on the name stays.
   *
   * @param name the limit's name
   * @return whether it had bounds
   * @throws InvalidRequestException the name is not a valid limit name (field {@code name})
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#LIMITS}
   */
  public boolean removeLimit(String name) {
    JobLimit.checkName(name);
    requireLimits("removeLimit(name)");
    return store.removeLimit(name);
  }

  /**
   * Pauses a job type or resource for every worker on the store: no new attempt under {@code name}
   * starts until {@link #resume(String)}; running attempts finish. Pausing a paused name does
   * nothing.
   *
   * @param name a job type or resource
   * @throws InvalidRequestException the name is not a valid limit name (field {@code name})
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#LIMITS}
   */
  public void pause(String name) {
    JobLimit.checkName(name);
    requireLimits("pause(name)");
    store.setPaused(name, true);
    LOG.info("{} paused: no new attempts start until it is resumed", name);
  }

  /**
   * Resumes a paused job type or resource, and ends a provider's back-off on it.
   *
   * @param name a job type or resource
   * @throws InvalidRequestException the name is not a valid limit name (field {@code name})
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#LIMITS}
   */
  public void resume(String name) {
    JobLimit.checkName(name);
    requireLimits("resume(name)");
    store.setPaused(name, false);
    LOG.info("{} resumed", name);
  }

  /**
   * {@return the state of every limit, pause and back-off on the store, in name order: bounds, use
   * now, paused, backing off until, and jobs waiting} Types and resources without any of these are
   * absent. Counts jobs of every owner: operator-only.
   *
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#LIMITS}
   */
  public List<LimitStatus> limits() {
    requireLimits("limits()");
    return store.limits();
  }

  private void requireLimits(String call) {
    if (!has(store, StoreCapability.LIMITS)) {
      throw new UnsupportedCapabilityException(StoreCapability.LIMITS, "JobManager." + call, store.getClass().getName(),
          "use a store that implements limits (both bundled stores do)");
    }
  }

  /** {@return the registered job types} */
  public Set<String> types() {
    return registry.types();
  }

  /** {@return the registered generators by type} */
  public Map<String, Generator<?>> generators() {
    return registry.generators();
  }

  /**
   * Checks that the store answers, for a health probe: one cheap read (of an id no job has), so
   * that no job and no owner's data is touched.
   *
   * @throws JobStoreException the store cannot be reached or failed
   */
  public void ping() {
    store.find(PING_ID);
  }

  /**
   * The store, for this package's workers only: application code goes through the manager, which
   * checks owners, so that no public accessor hands out a way around those checks.
   */
  JobStore store() {
    return store;
  }

  /** {@return the clock} */
  public Clock clock() {
    return clock;
  }

  /** {@return the quota policy} */
  public QuotaPolicy quotaPolicy() {
    return quotaPolicy;
  }

  /** For the worker runtime of this module: the registry with payload binding. */
  GeneratorRegistry registry() {
    return registry;
  }

  /** Stops event delivery. The store is not closed: it belongs to the caller. */
  @Override
  public void close() {
    fanout.close();
  }

  /** Builds a {@link JobManager}; fails fast on bad settings with a message naming them. */
  public static final class Builder {
    private @Nullable JobStore store;
    private @Nullable Clock clock;
    private final List<Generator<?>> generators = new ArrayList<>();
    private ContentModerator moderator = ContentModerator.allowAll();
    private QuotaPolicy quotaPolicy = QuotaPolicy.unlimited();
    private PriceTable prices = PriceTable.none(Currency.getInstance("USD"));
    private BudgetPolicy budgetPolicy = BudgetPolicy.unlimited();
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private int defaultPriority = JobRequest.DEFAULT_PRIORITY;
    private int defaultMaxAttempts = JobRequest.DEFAULT_MAX_ATTEMPTS;
    private int estimateSampleSize = 50;
    private int estimateMinSamples = 5;
    private Duration estimateRefresh = Duration.ofSeconds(30);
    private int subscriberQueueCapacity = 10_000;
    private int eventThreads = 2;
    private Duration eventRetention = Duration.ofHours(24);
    private final List<CreateInterceptor> interceptors = new ArrayList<>();
    private @Nullable EnclosingTransaction enclosingTransaction;

    private Builder() {}

    /**
     * Adds an interceptor that sees every create (tracing, metrics); several run in the order added.
     *
     * @param interceptor the interceptor
     * @return this builder
     */
    public Builder interceptor(CreateInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /**
     * Makes {@link JobManager#create(JobRequest)} join the transaction the calling thread is in,
     * as this says (the Spring Boot starter sets Spring's). Needs a store with {@link
     * StoreCapability#TRANSACTIONS}; without one, {@link #build()} fails.
     *
     * @param transaction tells the manager the calling thread's transaction, if any
     * @return this builder
     */
    public Builder enclosingTransaction(EnclosingTransaction transaction) {
      this.enclosingTransaction = Objects.requireNonNull(transaction, "transaction");
      return this;
    }

    /**
     * The store (required).
     *
     * @param store where jobs are kept
     * @return this builder
     */
    public Builder store(JobStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The clock; defaults to the store's.
     *
     * @param clock the clock for every timestamp, quota window and lease
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Registers a generator.
     *
     * @param generator the generator of one job type
     * @return this builder
     */
    public Builder generator(Generator<?> generator) {
      generators.add(Objects.requireNonNull(generator, "generator"));
      return this;
    }

    /**
     * Registers generators.
     *
     * @param all the generators, one per job type
     * @return this builder
     */
    public Builder generators(Collection<? extends Generator<?>> all) {
      all.forEach(this::generator);
      return this;
    }

    /**
     * Registers every generator found with {@link Generators#discover(Map)}.
     *
     * @param settings the settings handed to each {@link GeneratorProvider}
     * @return this builder
     */
    public Builder discoverGenerators(Map<String, String> settings) {
      return generators(Generators.discover(settings));
    }

    /**
     * Moderates payload text before a job is stored; default allows everything.
     *
     * @param moderator the moderator of payload text
     * @return this builder
     */
    public Builder moderator(ContentModerator moderator) {
      this.moderator = Objects.requireNonNull(moderator, "moderator");
      return this;
    }

    /**
     * Quotas per owner, e.g. {@code QuotaPolicy.perOwner(10, 100, Duration.ofMinutes(1))}; default
     * {@link QuotaPolicy#unlimited()}.
     *
     * @param policy the quota policy
     * @return this builder
     */
    public Builder quotaPolicy(QuotaPolicy policy) {
      this.quotaPolicy = Objects.requireNonNull(policy, "quotaPolicy");
      return this;
    }

    /**
     * What providers charge, for {@link JobManager#usage}; default a table without prices in USD
     * (every quantity unpriced, every cost 0).
     *
     * @param table the prices
     * @return this builder
     */
    public Builder prices(PriceTable table) {
      this.prices = Objects.requireNonNull(table, "prices");
      return this;
    }

    /**
     * Which {@link BudgetLimits} each owner's jobs are held to; default {@link
     * BudgetPolicy#unlimited()}. Money limits must be in the {@linkplain #prices price table's}
     * currency. Needs a store with {@link StoreCapability#BUDGETS}.
     *
     * @param policy the budget policy
     * @return this builder
     */
    public Builder budgetPolicy(BudgetPolicy policy) {
      this.budgetPolicy = Objects.requireNonNull(policy, "budgetPolicy");
      return this;
    }

    /**
     * Largest payload in UTF-8 bytes; default 1 MiB.
     *
     * @param bytes the limit, in UTF-8 bytes
     * @return this builder
     */
    public Builder maxPayloadBytes(int bytes) {
      if (bytes < 2) {
        throw new JobConfigurationException("maxPayloadBytes must be at least 2 ({}), was " + bytes);
      }
      this.maxPayloadBytes = bytes;
      return this;
    }

    /**
     * Priority of requests that give none; default 5.
     *
     * @param priority 1–10
     * @return this builder
     */
    public Builder defaultPriority(int priority) {
      if (priority < JobRequest.MIN_PRIORITY || priority > JobRequest.MAX_PRIORITY) {
        throw new JobConfigurationException("defaultPriority must be 1-10, was " + priority);
      }
      this.defaultPriority = priority;
      return this;
    }

    /**
     * Attempts of requests that give none; default 3.
     *
     * @param attempts at least 1
     * @return this builder
     */
    public Builder defaultMaxAttempts(int attempts) {
      if (attempts < 1 || attempts > MAX_ATTEMPTS_LIMIT) {
        throw new JobConfigurationException("defaultMaxAttempts must be 1-" + MAX_ATTEMPTS_LIMIT + ", was " + attempts);
      }
      this.defaultMaxAttempts = attempts;
      return this;
    }

    /**
     * How estimates are learned: the median of the latest {@code sampleSize} durations once at
     * least {@code minSamples} exist, recomputed at most every {@code refresh}.
     *
     * @param sampleSize how many of the latest durations the median is taken over
     * @param minSamples how many durations a type needs before it gets an estimate
     * @param refresh how long an estimate is reused before it is recomputed
     * @return this builder
     */
    public Builder durationLearning(int sampleSize, int minSamples, Duration refresh) {
      if (sampleSize < 1 || minSamples < 1 || minSamples > sampleSize) {
        throw new JobConfigurationException(
            "durationLearning needs 1 <= minSamples <= sampleSize, was sampleSize=" + sampleSize + ", minSamples=" + minSamples);
      }
      if (refresh.isNegative()) {
        throw new JobConfigurationException("durationLearning refresh must not be negative, was " + refresh);
      }
      this.estimateSampleSize = sampleSize;
      this.estimateMinSamples = minSamples;
      this.estimateRefresh = refresh;
      return this;
    }

    /**
     * How long the store's event log keeps events, which is how long a subscriber can be away and
     * still resume without a gap; default 24 hours, at least one minute. Running workers prune
     * older events every minute.
     *
     * @param retention how long events are kept, at least one minute
     * @return this builder
     */
    public Builder eventRetention(Duration retention) {
      if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new JobConfigurationException("eventRetention must be at least 1 minute, was " + retention);
      }
      this.eventRetention = retention;
      return this;
    }

    /**
     * Events a subscriber may fall behind before it is dropped; default 10,000.
     *
     * @param capacity the most events queued for one subscriber
     * @return this builder
     */
    public Builder subscriberQueueCapacity(int capacity) {
      if (capacity < 1) {
        throw new JobConfigurationException("subscriberQueueCapacity must be at least 1, was " + capacity);
      }
      this.subscriberQueueCapacity = capacity;
      return this;
    }

    /**
     * Threads that deliver events to subscribers; default 2.
     *
     * @param threads at least 1
     * @return this builder
     */
    public Builder eventThreads(int threads) {
      if (threads < 1) {
        throw new JobConfigurationException("eventThreads must be at least 1, was " + threads);
      }
      this.eventThreads = threads;
      return this;
    }

    /**
     * The manager.
     *
     * @return the manager
     * @throws JobConfigurationException no store, or two generators for one type
     * @throws UnsupportedCapabilityException a quota policy other than {@link QuotaPolicy#unlimited()} on a store
     *     without {@link StoreCapability#QUOTAS}
     */
    public JobManager build() {
      if (store == null) {
        throw new JobConfigurationException("JobManager needs a store: call .store(...) (e.g. new InMemoryJobStore())");
      }
      return new JobManager(this);
    }
  }
}
