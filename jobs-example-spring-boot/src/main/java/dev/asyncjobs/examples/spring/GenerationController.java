package dev.asyncjobs.examples.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.ContentRejectedException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.PayloadTooLargeException;
import dev.asyncjobs.QuotaExceededException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP API: {@code POST /api/generate} answers at once (202) with the job's id, {@code GET
 * /api/jobs/{id}} shows its status, progress and result. The user is the {@code X-User} header,
 * a stand-in for the application's own authentication (Spring Security's principal, say).
 */
@RestController
@RequestMapping("/api")
public class GenerationController {
  private final GenerationService generations;
  private final JobManager jobs;
  private final ObjectMapper json;

  /**
   * The controller.
   *
   * @param generations the transactional service
   * @param jobs the starter's manager, to read jobs
   * @param json to show results as JSON
   */
  public GenerationController(GenerationService generations, JobManager jobs, ObjectMapper json) {
    this.generations = generations;
    this.jobs = jobs;
    this.json = json;
  }

  /**
   * The body of a generate request.
   *
   * @param prompt what the palette is for
   * @param colors how many colours (default 5)
   * @param failAfterCreate throw after creating the job, to see the rollback
   */
  public record GenerateRequest(@Nullable String prompt, @Nullable Integer colors, boolean failAfterCreate) {}

  /**
   * Creates a palette job.
   *
   * @param user the caller
   * @param body the request
   * @return 202 with the job's id and where to follow it
   */
  @PostMapping("/generate")
  public ResponseEntity<Map<String, @Nullable Object>> generate(@RequestHeader(value = "X-User", defaultValue = "demo-user") String user,
      @RequestBody GenerateRequest body) {
    Job job = generations.generate(user,
        new PaletteGenerator.Palette(Objects.requireNonNullElse(body.prompt(), ""), // "" is refused as a bad payload
            Objects.requireNonNullElse(body.colors(), 5)), body.failAfterCreate());
    return ResponseEntity.accepted().location(URI.create("/api/jobs/" + job.id())).body(view(job));
  }

  /**
   * Shows a job of the caller's.
   *
   * @param user the caller
   * @param id the job's id
   * @return the job; 404 for an unknown id or another user's job
   */
  @GetMapping("/jobs/{id}")
  public Map<String, @Nullable Object> job(@RequestHeader(value = "X-User", defaultValue = "demo-user") String user, @PathVariable("id") UUID id) {
    return view(jobs.get(user, id));
  }

  private Map<String, @Nullable Object> view(Job job) {
    Map<String, @Nullable Object> v = new LinkedHashMap<>();
    v.put("id", job.id());
    v.put("type", job.type());
    v.put("status", job.status());
    v.put("progress", job.progress());
    v.put("progressMessage", job.progressMessage());
    v.put("result", job.result() == null ? null : read(job.result()));
    v.put("error", job.errorMessage());
    return v;
  }

  private JsonNode read(String result) {
    try {
      return json.readTree(result);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a stored result is not JSON", e);
    }
  }

  /**
   * The library's typed errors as HTTP problems, by the table of docs/concepts.md.
   *
   * @param e the error
   * @return the problem, with the error's stable code
   */
  @ExceptionHandler(JobException.class)
  public ResponseEntity<ProblemDetail> problem(JobException e) {
    HttpStatus status = statusOf(e);
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
    problem.setProperty("code", e.code());
    ResponseEntity.BodyBuilder answer = ResponseEntity.status(status);
    if (e instanceof QuotaExceededException quota && quota.retryAt() != null) {
      answer.header("Retry-After", Long.toString(Math.max(1, Duration.between(Instant.now(), quota.retryAt()).toSeconds())));
    }
    return answer.body(problem);
  }

  private static HttpStatus statusOf(JobException e) {
    if (e instanceof PayloadTooLargeException) {
      return HttpStatus.PAYLOAD_TOO_LARGE;
    } else if (e instanceof InvalidRequestException) { // a bad payload, owner or priority, an unknown type
      return HttpStatus.BAD_REQUEST;
    } else if (e instanceof JobNotFoundException) { // also another user's job
      return HttpStatus.NOT_FOUND;
    } else if (e instanceof ContentRejectedException) {
      return HttpStatus.UNPROCESSABLE_ENTITY;
    } else if (e instanceof QuotaExceededException) {
      return HttpStatus.TOO_MANY_REQUESTS;
    } else if (e instanceof JobStoreException) {
      return HttpStatus.SERVICE_UNAVAILABLE;
    }
    return HttpStatus.CONFLICT; // a job in the wrong state, an idempotency key reused
  }
}
