package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncjobs.FinishedCount;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobAdmin;
import dev.asyncjobs.JobDetail;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.LimitStatus;
import dev.asyncjobs.Page;
import dev.asyncjobs.QueueStats;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The operators' routes under {@code /api/admin/}, over {@link JobAdmin}: every one answers 403 to
 * a token without the operator claim (see {@link TokenRules}), before it reads anything. Unlike the
 * tenant routes, they show every owner's jobs and the errors as stored; each action is logged by
 * {@link JobAdmin} with the operator's {@code sub}.
 */
final class AdminRoutes {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JobManager jobs;
  private final JobAdmin admin;

  AdminRoutes(JobManager jobs) {
    this.jobs = jobs;
    this.admin = JobAdmin.of(jobs);
  }

  /** The filter before every admin route: operators only. */
  static void requireOperator(Context ctx) {
    if (!Authentication.isOperator(ctx)) {
      throw new ForbiddenResponse("the admin API is for operators only");
    }
  }

  /**
   * {@code GET /api/admin/jobs?owner=&status=&type=&error=&createdAfter=&createdBefore=&sort=&limit=&cursor=}:
   * a page of any owner's jobs, newest first unless {@code sort=oldest}.
   */
  void search(Context ctx) {
    String owner = ctx.queryParam("owner");
    JobQuery.Builder q = (owner == null || owner.isBlank() ? JobQuery.allOwners() : JobQuery.forOwner(owner.strip()))
        .statuses(RouteParams.statuses(ctx.queryParams("status")))
        .types(RouteParams.splitAll(ctx.queryParams("type")))
        .errorContains(blankToNull(ctx.queryParam("error")))
        .createdAfter(RouteParams.optionalInstant(ctx, "createdAfter"))
        .createdBefore(RouteParams.optionalInstant(ctx, "createdBefore"))
        .cursor(ctx.queryParam("cursor"));
    String sort = ctx.queryParam("sort");
    if (sort != null) {
      q.sort(switch (sort) {
        case "newest" -> JobQuery.Sort.NEWEST_FIRST;
        case "oldest" -> JobQuery.Sort.OLDEST_FIRST;
        default -> throw new InvalidRequestException("sort", "sort must be 'newest' or 'oldest', was '" + sort + "'");
      });
    }
    String limit = ctx.queryParam("limit");
    if (limit != null) {
      q.limit(RouteParams.parseInt("limit", limit));
    }
    Page<Job> page = admin.search(q.build());
    ObjectNode o = NODES.objectNode();
    ArrayNode items = o.putArray("items");
    page.items().forEach(j -> items.add(job(j)));
    o.put("nextCursor", page.nextCursor());
    HttpIo.json(ctx, 200, o);
  }

  /** {@code GET /api/admin/jobs/{id}}: the job, its events and its attempts' errors, as stored. */
  void detail(Context ctx) {
    UUID id = RouteParams.jobId(ctx);
    JobDetail d = admin.detail(id).orElseThrow(() -> new JobNotFoundException(id));
    ObjectNode o = job(d.job());
    ArrayNode events = o.putArray("events");
    for (JobEvent e : d.events()) {
      ObjectNode ev = events.addObject();
      ev.put("sequence", e.sequence());
      ev.put("kind", e.kind().name());
      ev.put("status", e.status().name());
      ev.put("progress", e.progress());
      ev.put("attempt", e.attempt());
      ev.put("message", e.message());
      ev.put("at", e.at().toString());
    }
    ArrayNode errors = o.putArray("attemptErrors");
    for (JobDetail.AttemptError e : d.attemptErrors()) {
      errors.addObject().put("attempt", e.attempt()).put("at", e.at().toString()).put("message", e.message())
          .put("gaveUp", e.gaveUp());
    }
    HttpIo.json(ctx, 200, o);
  }

  /** {@code POST /api/admin/jobs/{id}/retry}: a FAILED or CANCELLED job runs again (409 otherwise). */
  void retry(Context ctx) {
    HttpIo.json(ctx, 200, job(admin.retry(RouteParams.jobId(ctx), Authentication.owner(ctx))));
  }

  /** {@code POST /api/admin/jobs/{id}/cancel}: 200 when CANCELLED, 202 when its worker was asked to stop. */
  void cancel(Context ctx) {
    Job job = admin.cancel(RouteParams.jobId(ctx), Authentication.owner(ctx));
    HttpIo.json(ctx, job.status() == JobStatus.CANCELLED ? 200 : 202, job(job));
  }

  /** {@code DELETE /api/admin/jobs/{id}}: deletes a finished job (409 for one that has not finished). */
  void delete(Context ctx) {
    HttpIo.json(ctx, 200, job(admin.delete(RouteParams.jobId(ctx), Authentication.owner(ctx))));
  }

  /** {@code POST /api/admin/types/{name}/pause}: no new attempts of it start, on any worker. */
  void pause(Context ctx) {
    admin.pause(ctx.pathParam("name"), Authentication.owner(ctx));
    ctx.status(204);
  }

  /** {@code POST /api/admin/types/{name}/resume}. */
  void resume(Context ctx) {
    admin.resume(ctx.pathParam("name"), Authentication.owner(ctx));
    ctx.status(204);
  }

  /**
   * {@code GET /api/admin/queues}: each type's queue now (pending, due, running, the oldest due
   * job's wait) and whether it is paused, with every type the manager knows listed.
   */
  void queues(Context ctx) {
    Instant now = jobs.clock().instant();
    Map<String, ObjectNode> byType = new TreeMap<>();
    for (String type : jobs.types()) {
      byType.put(type, queue(type, 0, 0, 0, null, now));
    }
    for (QueueStats q : admin.queues()) {
      byType.put(q.type(), queue(q.type(), q.pending(), q.due(), q.running(), q.oldestDueAt(), now));
    }
    for (LimitStatus l : jobs.limits()) {
      ObjectNode q = byType.get(l.name());
      if (q != null) {
        q.put("paused", l.paused());
        q.put("backoffUntil", l.backoffUntil() == null ? null : l.backoffUntil().toString());
      }
    }
    ObjectNode o = NODES.objectNode();
    ArrayNode queues = o.putArray("queues");
    byType.values().forEach(queues::add);
    HttpIo.json(ctx, 200, o);
  }

  /**
   * {@code GET /api/admin/throughput?window=PT1H&bucket=PT1M}: finished jobs per bucket, by type
   * and status (default: the last hour by minute).
   */
  void throughput(Context ctx) {
    Duration window = RouteParams.duration(ctx, "window", Duration.ofHours(1));
    Duration bucket = RouteParams.duration(ctx, "bucket", Duration.ofMinutes(1));
    List<FinishedCount> counts = admin.throughput(window, bucket);
    ObjectNode o = NODES.objectNode();
    o.put("windowMs", window.toMillis()).put("bucketMs", bucket.toMillis());
    ArrayNode points = o.putArray("points");
    for (FinishedCount c : counts) {
      points.addObject().put("type", c.type()).put("from", c.from().toString()).put("completed", c.completed())
          .put("failed", c.failed()).put("cancelled", c.cancelled());
    }
    HttpIo.json(ctx, 200, o);
  }

  /** A job as an operator sees it: the tenant view, plus its owner and error as stored. */
  private static ObjectNode job(Job job) {
    ObjectNode o = JsonViews.job(job);
    o.put("ownerId", job.ownerId());
    o.put("error", job.errorMessage()); // operators read the stored text; tenants get PublicErrors
    o.put("workerId", job.workerId());
    o.put("leaseUntil", job.leaseUntil() == null ? null : job.leaseUntil().toString());
    o.set("links", NODES.objectNode().put("self", "/api/admin/jobs/" + job.id()));
    return o;
  }

  private static ObjectNode queue(String type, long pending, long due, long running, @Nullable Instant oldestDueAt, Instant now) {
    ObjectNode q = NODES.objectNode();
    q.put("type", type).put("pending", pending).put("due", due).put("running", running);
    q.put("oldestDueAt", oldestDueAt == null ? null : oldestDueAt.toString());
    q.put("oldestDueWaitMs", oldestDueAt == null ? 0 : Math.max(0, Duration.between(oldestDueAt, now).toMillis()));
    q.put("paused", false);
    q.putNull("backoffUntil");
    return q;
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
