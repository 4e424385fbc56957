package dev.asyncjobs.examples.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncjobs.ContentRejectedException;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.PayloadTooLargeException;
import dev.asyncjobs.BudgetExceededException;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.UnsupportedCapabilityException;
import io.javalin.http.HttpResponseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a handler throws into a {@link Problem}. The library's exceptions carry a type and a
 * stable {@link JobException#code()}, so the mapping is a lookup, never a parse of a message.
 */
public final class ProblemMapper {
  /**
   * The code of the OpenAI module's {@code ModerationUnavailableException}, matched by code and not
   * by class, so that an app without that module on its class path still maps every error (the
   * class check threw NoClassDefFoundError there, and every store outage became a 500).
   */
  private static final String MODERATION_UNAVAILABLE = "moderation_unavailable";

  private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Clock clock;
  private final long maxBodyBytes;

  /**
   * A mapper that computes {@code Retry-After} against {@code clock} and names {@code
   * maxBodyBytes} when a request body is refused for its size.
   */
  public ProblemMapper(Clock clock, long maxBodyBytes) {
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * The problem for {@code error}. Errors whose message is for operators (the store's, the
   * moderation service's, anything unexpected) are logged with an error id, and the client gets a
   * fixed sentence and that id, never the message.
   */
  public Problem toProblem(Throwable error) {
    if (error instanceof UnauthorizedException e) {
      return unauthorized(e);
    }
    if (error instanceof JobException e) {
      return jobProblem(e);
    }
    if (error instanceof HttpResponseException e) {
      return httpProblem(e);
    }
    String errorId = ErrorIds.next();
    LOG.error("unexpected error in a request [errorId={}]", errorId, error);
    return internalError(errorId);
  }

  private static Problem internalError(String errorId) {
    return withErrorId(Problem.of(500, "internal_error", "Internal error",
        "the server failed to handle the request; quote error id " + errorId + " to the operators"), errorId);
  }

  /**
   * Adds the {@code errorId} member that matches the operator-facing log entry. The detail of what
   * went wrong (a URL, a setting, a database message) is in that entry only.
   */
  private static Problem withErrorId(Problem p, String errorId) {
    ObjectNode members = p.members().deepCopy().put("errorId", errorId);
    return new Problem(p.status(), p.code(), p.title(), p.detail(), members, p.headers());
  }

  private static Problem unauthorized(UnauthorizedException e) {
    String challenge = e.tokenPresent()
        ? "Bearer realm=\"asyncjobs\", error=\"invalid_token\", error_description=\"" + e.getMessage().replace("\"", "'") + "\""
        : "Bearer realm=\"asyncjobs\"";
    return new Problem(401, "unauthorized", "Unauthorized", e.getMessage(), NODES.objectNode(),
        Map.of("WWW-Authenticate", challenge));
  }

  private Problem jobProblem(JobException e) {
    ObjectNode members = NODES.objectNode();
    Map<String, String> headers = new HashMap<>();
    int status;
    String title;
    if (e instanceof PayloadTooLargeException p) {
      status = 413;
      title = "Payload too large";
      members.put("field", p.field()).put("sizeBytes", p.sizeBytes()).put("limitBytes", p.limitBytes());
    } else if (e instanceof InvalidRequestException r) {
      // Also UnknownJobTypeException and InvalidPayloadException: both are invalid requests with a field.
      status = 400;
      title = "Invalid request";
      members.put("field", r.field());
    } else if (e instanceof JobNotFoundException n) {
      status = 404;
      title = "Job not found";
      members.put("jobId", n.jobId().toString());
    } else if (e instanceof IllegalJobStateException s) {
      status = 409;
      title = "Conflict with the job's state";
      members.put("jobId", s.jobId().toString()).put("jobStatus", s.status().name());
    } else if (e instanceof IdempotencyConflictException c) {
      status = 409;
      title = "Idempotency key reused";
      members.put("idempotencyKey", c.idempotencyKey()).put("existingJobId", c.existingJobId().toString());
    } else if (e instanceof ContentRejectedException c) {
      status = 422;
      title = "Content rejected by moderation";
      ArrayNode categories = members.putArray("categories");
      new TreeSet<>(c.categories()).forEach(categories::add);
    } else if (e instanceof QuotaExceededException q) {
      status = 429;
      title = "Quota exceeded";
      members.put("limit", q.limit().name()).put("limitValue", q.limitValue());
      Instant retryAt = q.retryAt();
      members.put("retryAt", retryAt == null ? null : retryAt.toString());
      if (retryAt != null) {
        headers.put("Retry-After", Long.toString(secondsUntil(retryAt)));
      }
    } else if (e instanceof BudgetExceededException b) {
      // 402: the owner may try again when the budget resets, or once its plan allows more.
      status = 402;
      title = "Budget exceeded";
      members.put("limit", b.limit().name()).put("limitValue", b.limitValue()).put("counted", b.counted())
          .put("requested", b.requested()).put("resetsAt", b.resetsAt().toString());
      headers.put("Retry-After", Long.toString(secondsUntil(b.resetsAt())));
    } else if (e instanceof UnsupportedCapabilityException u) {
      // The store was chosen by the operator; which one it is (its class) is for the log only.
      String errorId = ErrorIds.next();
      LOG.warn("a request needs a store capability this installation lacks [errorId={}]", errorId, e);
      members.put("capability", u.capability().name());
      return withErrorId(new Problem(501, e.code(), "Not supported by this installation",
          "this installation's job store does not support " + u.capability().name().toLowerCase(java.util.Locale.ROOT),
          members, headers), errorId);
    } else if (MODERATION_UNAVAILABLE.equals(e.code())) {
      String errorId = ErrorIds.next();
      LOG.warn("moderation unavailable during a create [errorId={}]", errorId, e);
      headers.put("Retry-After", "5");
      return withErrorId(new Problem(503, e.code(), "Moderation unavailable",
          "the moderation service could not check the text, so nothing was created; try again shortly", members, headers),
          errorId);
    } else if (e instanceof JobStoreException) {
      String errorId = ErrorIds.next();
      LOG.warn("job store failed during a request [errorId={}]", errorId, e);
      headers.put("Retry-After", "1");
      return withErrorId(new Problem(503, e.code(), "Store unavailable", "the job store is unavailable; try again shortly",
          members, headers), errorId);
    } else {
      // A configuration error, a generator's failure, anything new: its message is for operators.
      String errorId = ErrorIds.next();
      LOG.error("unmapped job error in a request [errorId={}]", errorId, e);
      return internalError(errorId);
    }
    return new Problem(status, e.code(), title, e.getMessage(), members, headers);
  }

  private static Problem withHeader(Problem p, String name, String value) {
    return new Problem(p.status(), p.code(), p.title(), p.detail(), p.members(), Map.of(name, value));
  }

  /** Whole seconds until {@code at}, rounded up and at least 1, as {@code Retry-After} wants. */
  private long secondsUntil(Instant at) {
    long millis = Duration.between(clock.instant(), at).toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  private Problem httpProblem(HttpResponseException e) {
    int status = e.getStatus();
    return switch (status) {
      case 413 -> new Problem(413, "payload_too_large", "Payload too large",
          "the request body is larger than the " + maxBodyBytes + " bytes the server accepts",
          NODES.objectNode().put("field", "body").put("limitBytes", maxBodyBytes), Map.of());
      case 403 -> Problem.of(403, "forbidden", "Forbidden", e.getMessage());
      case 404 -> Problem.of(404, "not_found", "Not found", "no such resource");
      case 405 -> Problem.of(405, "method_not_allowed", "Method not allowed", e.getMessage());
      case 406 -> Problem.of(406, "not_acceptable", "Not acceptable", e.getMessage());
      case 415 -> Problem.of(415, "unsupported_media_type", "Unsupported media type",
          "the request body must be JSON, sent with Content-Type: application/json");
      // The body stopped or dripped: the connection is not worth keeping.
      case 408 -> withHeader(ProblemErrorHandler.forStatus(408), "Connection", "close");
      default -> Problem.of(status, "http_" + status, e.getMessage(), e.getMessage());
    };
  }
}
