package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobOutput;
import dev.asyncjobs.JobStats;
import dev.asyncjobs.Page;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaUsage;
import dev.asyncjobs.BudgetStatus;
import dev.asyncjobs.Usage;
import dev.asyncjobs.UsageReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The JSON the API writes. Written by hand rather than by serialising the library's records, so
 * that the wire format is stable and leaves out worker internals (lease, worker id) and the
 * operator-facing text of errors (see {@link PublicErrors}). Times are ISO-8601 strings, durations
 * whole milliseconds.
 */
public final class JsonViews {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper READER = new ObjectMapper();

  private JsonViews() {}

  /** The path of one job, also its {@code Location}. */
  public static String jobPath(Job job) {
    return "/api/jobs/" + job.id();
  }

  /** A job as {@code GET /api/jobs/{id}} returns it. */
  public static ObjectNode job(Job job) {
    ObjectNode o = NODES.objectNode();
    o.put("id", job.id().toString());
    o.put("type", job.type());
    o.put("status", job.status().name());
    o.put("progress", job.progress());
    o.put("progressMessage", job.progressMessage());
    o.set("payload", job.payloadTree());
    JsonNode result = job.resultTree();
    o.set("result", result == null ? NODES.nullNode() : result);
    o.put("error", PublicErrors.of(job));
    o.put("priority", job.priority());
    o.put("attempts", job.attempts());
    o.put("maxAttempts", job.maxAttempts());
    o.put("deferrals", job.deferrals()); // handed back by a provider's 429, not counted as attempts
    o.set("usage", usage(job.usage()));
    ObjectNode perAttempt = o.putObject("attemptUsage");
    job.attemptUsage().forEach((attempt, u) -> perAttempt.set(Integer.toString(attempt), usage(u)));
    o.put("cachedFrom", job.cachedFrom() == null ? null : job.cachedFrom().toString()); // answered from the result cache
    o.put("cancelRequested", job.cancelRequested());
    o.put("idempotencyKey", job.idempotencyKey());
    putMillis(o, "estimatedDurationMs", job.estimatedDuration());
    putMillis(o, "actualDurationMs", job.actualDuration());
    putTime(o, "createdAt", job.createdAt());
    putTime(o, "updatedAt", job.updatedAt());
    putTime(o, "startedAt", job.startedAt());
    putTime(o, "finishedAt", job.finishedAt());
    putTime(o, "runAt", job.runAt());
    o.set("links", NODES.objectNode().put("self", jobPath(job)).put("events", "/api/jobs/events"));
    return o;
  }

  /** A usage as {@link Usage#toJson()} writes it: models, each an object of units and exact quantities. */
  static ObjectNode usage(Usage usage) {
    ObjectNode o = NODES.objectNode();
    usage.byModel().forEach((model, units) -> {
      ObjectNode m = o.putObject(model);
      units.forEach((unit, quantity) -> m.put(unit.jsonName(), quantity));
    });
    return o;
  }

  /** The answer to a create: what a caller needs to follow the job. */
  public static ObjectNode created(Job job) {
    ObjectNode o = NODES.objectNode();
    o.put("id", job.id().toString());
    o.put("type", job.type());
    o.put("status", job.status().name());
    o.put("priority", job.priority());
    putMillis(o, "estimatedDurationMs", job.estimatedDuration());
    putTime(o, "createdAt", job.createdAt());
    o.set("links", NODES.objectNode().put("self", jobPath(job)).put("events", "/api/jobs/events"));
    return o;
  }

  /** A page of jobs. */
  public static ObjectNode page(Page<Job> page) {
    ObjectNode o = NODES.objectNode();
    ArrayNode items = o.putArray("items");
    page.items().forEach(j -> items.add(job(j)));
    o.put("nextCursor", page.nextCursor());
    return o;
  }

  /** One event of the SSE stream. */
  public static ObjectNode event(JobEvent e) {
    ObjectNode o = NODES.objectNode();
    o.put("kind", e.kind().name());
    o.put("jobId", e.jobId().toString());
    o.put("type", e.type());
    o.put("status", e.status().name());
    o.put("progress", e.progress());
    o.put("message", PublicErrors.of(e));
    o.put("attempt", e.attempt());
    putTime(o, "at", e.at());
    return o;
  }

  /** The SSE event name of an event: {@code delta}, {@code part} and {@code restart} for streamed output, else {@code job}. */
  public static String eventName(JobEvent e) {
    return switch (e.kind()) {
      case TEXT_DELTA -> "delta";
      case OUTPUT_PART -> "part";
      case OUTPUT_RESTARTED -> "restart";
      default -> "job";
    };
  }

  /**
   * The data of an SSE event: {@link #event} for a change of the job; for streamed output the job,
   * the attempt and the {@code text} of a delta or the {@code part} itself.
   */
  public static ObjectNode eventData(JobEvent e) {
    if (!e.kind().isOutput()) {
      return event(e);
    }
    ObjectNode o = NODES.objectNode();
    o.put("kind", e.kind().name());
    o.put("jobId", e.jobId().toString());
    o.put("attempt", e.attempt());
    String data = e.data();
    if (e.kind() == JobEvent.Kind.TEXT_DELTA) {
      o.put("text", data);
    } else if (e.kind() == JobEvent.Kind.OUTPUT_PART && data != null) {
      o.set("part", parsed(data));
    }
    return o;
  }

  /** What a job streamed so far. */
  public static ObjectNode output(JobOutput out) {
    ObjectNode o = NODES.objectNode();
    o.put("jobId", out.jobId().toString());
    o.put("status", out.status().name());
    o.put("attempt", out.attempt());
    o.put("text", out.text());
    ArrayNode parts = o.putArray("parts");
    out.parts().forEach(parts::add);
    o.put("lastSequence", out.lastSequence());
    o.put("truncated", out.truncated());
    return o;
  }

  private static JsonNode parsed(String json) {
    try {
      return READER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored part is not JSON", e); // the worker wrote it with Jackson
    }
  }

  /** An owner's quota; a limit that does not apply is {@code null}. */
  public static ObjectNode quota(QuotaUsage usage) {
    QuotaLimits l = usage.limits();
    ObjectNode limits = NODES.objectNode();
    putLimit(limits, "maxPerHour", l.maxPerHour());
    putLimit(limits, "maxPerDay", l.maxPerDay());
    limits.put("minIntervalSeconds", l.minInterval().toSeconds());
    ObjectNode o = NODES.objectNode();
    o.set("limits", limits);
    o.put("usedLastHour", usage.usedLastHour());
    o.put("usedLastDay", usage.usedLastDay());
    putTime(o, "lastCreatedAt", usage.lastCreatedAt());
    putTime(o, "nextCreateAllowedAt", usage.nextCreateAllowedAt());
    return o;
  }

  /** Per-type statistics. */
  public static ObjectNode stats(String scope, List<JobStats> stats) {
    ObjectNode o = NODES.objectNode();
    o.put("scope", scope);
    ArrayNode types = o.putArray("types");
    for (JobStats s : stats) {
      ObjectNode t = types.addObject();
      t.put("type", s.type());
      t.put("total", s.total());
      t.put("pending", s.pending());
      t.put("processing", s.processing());
      t.put("completed", s.completed());
      t.put("failed", s.failed());
      t.put("cancelled", s.cancelled());
      t.put("successRate", s.successRate());
      putMillis(t, "averageDurationMs", s.averageDuration());
      putMillis(t, "p50DurationMs", s.p50Duration());
      putMillis(t, "p95DurationMs", s.p95Duration());
      putMillis(t, "p99DurationMs", s.p99Duration());
    }
    return o;
  }

  /** A usage report: the window, every type's jobs, usage and cost, the total, and what has no price. */
  public static ObjectNode usage(String scope, UsageReport report) {
    ObjectNode o = NODES.objectNode();
    o.put("scope", scope);
    putTime(o, "from", report.from());
    putTime(o, "to", report.to());
    o.put("currency", report.total().cost().currency().getCurrencyCode());
    ArrayNode types = o.putArray("types");
    report.types().forEach(line -> types.add(usageLine(line)));
    o.set("total", usageLine(report.total()));
    o.set("unpriced", usage(report.unpriced()));
    return o;
  }

  /** An owner's budget: its limits (null: none), what today and this month count, when each resets. */
  public static ObjectNode budget(BudgetStatus b) {
    ObjectNode o = NODES.objectNode();
    o.put("currency", b.currency().getCurrencyCode());
    ObjectNode limits = o.putObject("limits");
    limits.put("costPerDay", b.limits().costPerDay());
    limits.put("costPerMonth", b.limits().costPerMonth());
    limits.put("tokensPerDay", b.limits().tokensPerDay());
    limits.put("tokensPerMonth", b.limits().tokensPerMonth());
    o.set("today", NODES.objectNode().put("cost", b.today().cost()).put("tokens", b.today().tokens())
        .put("resetsAt", b.dayResetsAt().toString()));
    o.set("thisMonth", NODES.objectNode().put("cost", b.thisMonth().cost()).put("tokens", b.thisMonth().tokens())
        .put("resetsAt", b.monthResetsAt().toString()));
    return o;
  }

  private static ObjectNode usageLine(UsageReport.Line line) {
    ObjectNode o = NODES.objectNode();
    if (line.type() != null) {
      o.put("type", line.type());
    }
    o.put("jobs", line.jobs());
    o.set("usage", usage(line.usage()));
    o.put("cost", line.cost().amount()); // exact, written as a plain decimal
    return o;
  }

  private static void putLimit(ObjectNode o, String name, int value) {
    if (value == Integer.MAX_VALUE) {
      o.putNull(name);
    } else {
      o.put(name, value);
    }
  }

  private static void putMillis(ObjectNode o, String name, @Nullable Duration d) {
    if (d == null) {
      o.putNull(name);
    } else {
      o.put(name, d.toMillis());
    }
  }

  private static void putTime(ObjectNode o, String name, @Nullable Instant t) {
    o.put(name, t == null ? null : t.toString());
  }
}
