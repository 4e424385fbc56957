package dev.asyncjobs.examples.http;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobStatus;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/** The JSON routes over {@link JobManager}; every call is scoped to the token's owner. */
final class JobRoutes {
  private final JobManager jobs;
  private final CrossTenantStats allStats;

  JobRoutes(JobManager jobs, Duration statsCacheTtl) {
    this.jobs = jobs;
    this.allStats = new CrossTenantStats(jobs::stats, jobs.clock(), statsCacheTtl);
  }

  /** {@code POST /api/generate}: 202 with the job and its {@code Location}. */
  void create(Context ctx) {
    Job job = jobs.create(CreateRequests.read(Authentication.owner(ctx), HttpIo.body(ctx)));
    ctx.header("Location", JsonViews.jobPath(job));
    HttpIo.json(ctx, 202, JsonViews.created(job));
  }

  /** {@code GET /api/jobs?status=&type=&limit=&cursor=}: a page of the caller's jobs, newest first. */
  void list(Context ctx) {
    JobQuery.Builder q = JobQuery.forOwner(Authentication.owner(ctx))
        .statuses(RouteParams.statuses(ctx.queryParams("status")))
        .types(RouteParams.splitAll(ctx.queryParams("type")))
        .cursor(ctx.queryParam("cursor"));
    String limit = ctx.queryParam("limit");
    if (limit != null) {
      q.limit(RouteParams.parseInt("limit", limit));
    }
    HttpIo.json(ctx, 200, JsonViews.page(jobs.list(q.build())));
  }

  /** {@code GET /api/jobs/{id}}: 404 for an unknown id and for another owner's job alike. */
  void get(Context ctx) {
    HttpIo.json(ctx, 200, JsonViews.job(jobs.get(Authentication.owner(ctx), RouteParams.jobId(ctx))));
  }

  /**
   * {@code GET /api/jobs/{id}/output}: the text and parts the job's current attempt streamed so
   * far, for clients that cannot keep a stream open; 404 like {@link #get}.
   */
  void output(Context ctx) {
    HttpIo.json(ctx, 200, JsonViews.output(jobs.output(Authentication.owner(ctx), RouteParams.jobId(ctx))));
  }

  /**
   * {@code DELETE /api/jobs/{id}}: 200 when the job is now CANCELLED, 202 when it is running and
   * its worker was asked to stop (it ends CANCELLED shortly; the event stream tells when).
   */
  void cancel(Context ctx) {
    Job job = jobs.cancel(Authentication.owner(ctx), RouteParams.jobId(ctx));
    HttpIo.json(ctx, job.status() == JobStatus.CANCELLED ? 200 : 202, JsonViews.job(job));
  }

  /** {@code GET /api/quota}: the caller's limits, use, and when the next create is allowed. */
  void quota(Context ctx) {
    HttpIo.json(ctx, 200, JsonViews.quota(jobs.quotaUsage(Authentication.owner(ctx))));
  }

  /**
   * {@code GET /api/stats?scope=owner|all}: per-type counts, success rate and duration percentiles;
   * {@code all} is for operators only (403 otherwise) and may be a few seconds old.
   */
  void stats(Context ctx) {
    String scope = ctx.queryParam("scope");
    if (scope == null || scope.equals("owner")) {
      HttpIo.json(ctx, 200, JsonViews.stats("owner", jobs.stats(Authentication.owner(ctx))));
    } else if (scope.equals("all")) {
      if (!Authentication.isOperator(ctx)) {
        // How busy other tenants are is not a tenant's business.
        throw new ForbiddenResponse("scope=all is for operators only; scope=owner gives your own statistics");
      }
      // Counts and timings per type only: no owner, id or payload crosses tenants.
      HttpIo.json(ctx, 200, JsonViews.stats("all", allStats.get()));
    } else {
      throw new InvalidRequestException("scope", "scope must be 'owner' or 'all', was '" + scope + "'");
    }
  }

  /**
   * {@code GET /api/usage?from=&to=&scope=owner|all}: what the jobs created in the window consumed
   * and cost, by type; the window defaults to the current calendar month (UTC). {@code all} is for
   * operators only (403 otherwise).
   */
  void usage(Context ctx) {
    Instant now = jobs.clock().instant();
    ZonedDateTime month = now.atZone(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
    Instant from = RouteParams.instant(ctx, "from", month.toInstant());
    Instant to = RouteParams.instant(ctx, "to", month.plusMonths(1).toInstant());
    String scope = ctx.queryParam("scope");
    if (scope == null || scope.equals("owner")) {
      HttpIo.json(ctx, 200, JsonViews.usage("owner", jobs.usage(Authentication.owner(ctx), from, to)));
    } else if (scope.equals("all")) {
      if (!Authentication.isOperator(ctx)) {
        throw new ForbiddenResponse("scope=all is for operators only; scope=owner gives your own usage");
      }
      HttpIo.json(ctx, 200, JsonViews.usage("all", jobs.usageOfAllOwners(from, to)));
    } else {
      throw new InvalidRequestException("scope", "scope must be 'owner' or 'all', was '" + scope + "'");
    }
  }

  /** {@code GET /api/budget}: the caller's budget limits and what its jobs of today and this month count. */
  void budget(Context ctx) {
    HttpIo.json(ctx, 200, JsonViews.budget(jobs.budget(Authentication.owner(ctx))));
  }
}
