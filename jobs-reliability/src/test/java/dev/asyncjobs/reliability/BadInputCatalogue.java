package dev.asyncjobs.reliability;

import static dev.asyncjobs.reliability.BadInput.accepted;
import static dev.asyncjobs.reliability.BadInput.named;
import static dev.asyncjobs.reliability.BadInput.problem;
import static dev.asyncjobs.reliability.BadInput.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncjobs.ContentRejectedException;
import dev.asyncjobs.IdempotencyConflictException;
import dev.asyncjobs.IllegalJobStateException;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobNotFoundException;
import dev.asyncjobs.JobQuery;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.KeywordContentModerator;
import dev.asyncjobs.Page;
import dev.asyncjobs.PayloadTooLargeException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.UnknownJobTypeException;
import dev.asyncjobs.examples.http.JwtAuth;
import dev.asyncjobs.reliability.support.HttpApi;
import dev.asyncjobs.spi.ClaimRequest;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.QuotaWindow;
import dev.asyncjobs.tck.EventRecorder;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.sse.SseClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue: one table of inputs that a careless or hostile caller may send, each
 * sent through {@link JobManager} (and, where the API has a route for it, through HTTP), each
 * answered with a typed error naming the problem and leaving no trace (no job, no event, no quota
 * use, no change to any job), or, for text that merely looks dangerous (SQL, script, odd Unicode),
 * accepted and stored exactly as sent without harm. Subclasses run it on a store.
 *
 * <p>"No trace" is checked as the TCK's manager suite does: a marker job is created before and
 * after the input, and on a subscription to every owner's events the only event between the two
 * markers' is the second marker's own; every job but the markers is compared before and after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BadInputCatalogue {
  static final String A = "alice";
  static final String TYPE = "echo";
  static final String SQL_INJECTION = "'; DROP TABLE jobs; -- \" OR 1=1 --";
  static final String SCRIPT_INJECTION = "<script>alert(document.cookie)</script><img src=x onerror=alert(1)>";
  /** Emoji (4 bytes), CJK, right-to-left override, zero-width joiner, combining marks, BOM, a noncharacter. */
  static final String UNICODE_ZOO = "🚀👩‍💻 漢字 \u202Eevil\u202C e\u0301\u0301 \uFEFF \uFFFF Ω";
  static final String UNICODE_OWNER = "🚀漢字\u202Eevil";
  static final String GENERATE = "/api/generate";
  static final String SMALL = "{\"text\":\"x\",\"repeat\":1}";
  static final String DEEP_PAYLOAD = "{\"text\":\"x\",\"repeat\":1,\"n\":" + "[".repeat(500) + "]".repeat(500) + "}";
  static final String DUPLICATE_KEYS = "{\"text\":\"first\",\"text\":\"last\",\"repeat\":1}";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MARKER_OWNER = "catalogue-marker";
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** A person reads the message: one that repeats a huge input back is not useful. */
  private static final int MAX_MESSAGE_LENGTH = 1000;

  JobStore store;
  JobManager jobs;
  HttpApi api;
  /** A PROCESSING job of {@link #A} at progress 50. */
  UUID processing;
  /** A CANCELLED job of {@link #A}. */
  UUID finished;
  /** A PENDING job of {@link #A}. */
  UUID pending;
  /** The idempotency key of {@link #pending}. */
  static final String FIXTURE_KEY = "fixture-key";
  private final EventRecorder events = new EventRecorder();
  private Subscription subscription;

  /** A store for this run, empty. */
  protected abstract JobStore openStore();

  /** Releases what {@link #openStore()} took, after the store is closed. */
  protected void afterStoreClosed() {}

  @BeforeAll
  void setUpFixture() {
    store = openStore();
    jobs = JobManager.builder()
        .store(store)
        .generator(new EchoGenerator())
        .moderator(KeywordContentModerator.builder().block("violence", "massacre").build())
        // limited, so that quota use is recorded and a refused input is seen not to use any
        .quotaPolicy(owner -> new QuotaLimits(100_000, 100_000, Duration.ZERO))
        .build();
    subscription = store.subscribe(EventSubscription.allOwners(), events);
    api = new HttpApi(jobs);
    Job running = jobs.create(echo(A, "{\"text\":\"running\",\"repeat\":1}"));
    List<Job> claimed = store.claim(new ClaimRequest("catalogue-worker", Set.of(TYPE), 1, Duration.ofHours(1)));
    assertThat(claimed).extracting(Job::id).containsExactly(running.id());
    processing = running.id();
    jobs.updateProgress(A, processing, 50, "half way");
    finished = jobs.create(echo(A, "{\"text\":\"finished\",\"repeat\":1}")).id();
    jobs.cancel(A, finished);
    pending = jobs.create(JobRequest.builder(A, TYPE).payload("{\"text\":\"keyed\",\"repeat\":1}").idempotencyKey(FIXTURE_KEY).build()).id();
  }

  @AfterAll
  void tearDownFixture() {
    try {
      api.close();
      subscription.close();
      jobs.close();
      store.close();
    } finally {
      afterStoreClosed();
    }
  }

  static JobRequest echo(String owner, String payload) {
    return JobRequest.builder(owner, TYPE).payload(payload).build();
  }

  static JobRequest echoText(String owner, String text) {
    return JobRequest.builder(owner, TYPE).payloadOf(Map.of("text", text, "repeat", 1)).build();
  }

  static JobRequest keyed(String key) {
    return JobRequest.builder(A, TYPE).payload("{\"text\":\"k\",\"repeat\":1}").idempotencyKey(key).build();
  }

  /** A JSON string. */
  static String json(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code {"text": text, "repeat": 1}}. */
  static String textPayload(String text) {
    return "{\"text\":" + json(text) + ",\"repeat\":1}";
  }

  /** The body of {@code POST /api/generate}: the type, the payload as JSON text, and more members. */
  static String generate(String type, String payloadJson, String... members) {
    StringBuilder b = new StringBuilder("{\"type\":").append(json(type)).append(",\"payload\":").append(payloadJson);
    for (String m : members) {
      b.append(',').append(m);
    }
    return b.append('}').toString();
  }

  static String url(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  /** A valid token of {@code owner}. */
  String token(String owner) {
    return api.token(owner);
  }

  /** A payload of exactly {@code bytes} UTF-8 bytes: {@code {"text":"aaa…","repeat":1}}. */
  static String payloadOfBytes(int bytes) {
    String frame = "{\"text\":\"\",\"repeat\":1}";
    return "{\"text\":\"" + "a".repeat(bytes - frame.length()) + "\",\"repeat\":1}";
  }

  // ------------------------------------------------------------------ the table

  static Stream<BadInput> catalogue() {
    return Stream.of(
        // payload: shape
        named("malformed JSON")
            .manager(f -> f.jobs.create(echo(A, "{\"text\": \"hi\",")), refused(InvalidPayloadException.class, "payload", "not valid JSON", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, "{\"type\":\"echo\",\"payload\":{\"text\": \"hi\","), problem(400, "invalid_request", "body", "not valid JSON")),
        named("trailing garbage after the JSON object")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":1} x")), refused(InvalidPayloadException.class, "payload", "not valid JSON", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"hi\",\"repeat\":1}") + " x"), problem(400, "invalid_request", "body", "not valid JSON")),
        named("payload is an array, not an object")
            .manager(f -> f.jobs.create(echo(A, "[1,2]")), refused(InvalidPayloadException.class, "payload", "must be a JSON object", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "[1,2]")), refused(InvalidPayloadException.class, "payload", "must be a JSON object", 400)),
        named("payload is empty")
            .manager(f -> f.jobs.create(echo(A, "")), refused(InvalidPayloadException.class, "payload", "must be a JSON object", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "\"\"")), refused(InvalidPayloadException.class, "payload", "must be a JSON object", 400)),
        named("payload field of the wrong type (string for int)")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":\"twice\"}")), refused(InvalidPayloadException.class, "payload.repeat", "cannot be read as int", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"hi\",\"repeat\":\"twice\"}")), refused(InvalidPayloadException.class, "payload.repeat", "cannot be read as int", 400)),
        named("payload field of the wrong type (object for string)")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":{\"a\":1},\"repeat\":1}")), refused(InvalidPayloadException.class, "payload.text", "text", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":{\"a\":1},\"repeat\":1}")), refused(InvalidPayloadException.class, "payload.text", "text", 400)),
        named("number too large for its field")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":99999999999999999999}")), refused(InvalidPayloadException.class, "payload", "out of range of int", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"hi\",\"repeat\":99999999999999999999}")), refused(InvalidPayloadException.class, "payload", "out of range of int", 400)),
        named("fractional number for an int field")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":1.5}")), refused(InvalidPayloadException.class, "payload.repeat", "1.5 cannot be read as int", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"hi\",\"repeat\":1.5}")), refused(InvalidPayloadException.class, "payload.repeat", "1.5 cannot be read as int", 400)),
        named("required payload field missing")
            .manager(f -> f.jobs.create(echo(A, "{\"repeat\":1}")), refused(InvalidPayloadException.class, "payload.text", "text is required", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"repeat\":1}")), refused(InvalidPayloadException.class, "payload.text", "text is required", 400)),
        named("unknown payload field")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":1,\"colour\":\"red\"}")), refused(InvalidPayloadException.class, "payload.colour", "unknown field 'colour'", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"hi\",\"repeat\":1,\"colour\":\"red\"}")), refused(InvalidPayloadException.class, "payload.colour", "unknown field 'colour'", 400)),
        named("payload value out of the generator's range")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"hi\",\"repeat\":9}")), refused(InvalidPayloadException.class, "payload.repeat", "repeat must be 1-5, was 9", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"hi\",\"repeat\":9}")), refused(InvalidPayloadException.class, "payload.repeat", "repeat must be 1-5, was 9", 400)),
        named("payload nested 500 levels deep")
            .manager(f -> f.jobs.create(echo(A, DEEP_PAYLOAD)), refused(InvalidPayloadException.class, "payload", "nested too deeply", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, DEEP_PAYLOAD)), refused(InvalidPayloadException.class, "payload", "nested too deeply", 400)),
        // payload: size
        named("payload of 1 MiB + 1 byte")
            .manager(f -> f.jobs.create(echo(A, payloadOfBytes(JobManager.DEFAULT_MAX_PAYLOAD_BYTES + 1))), refused(PayloadTooLargeException.class, "payload", "1048577 bytes", 413))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, payloadOfBytes(JobManager.DEFAULT_MAX_PAYLOAD_BYTES + 1))),
                refused(PayloadTooLargeException.class, "payload", "1048577 bytes", 413)),
        named("huge string (4 MiB)")
            .manager(f -> f.jobs.create(echoText(A, "x".repeat(4 << 20))), refused(PayloadTooLargeException.class, "payload", "1048576", 413))
            .http(f -> f.api.postOversized(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"" + "x".repeat(4 << 20) + "\",\"repeat\":1}")),
                problem(413, "payload_too_large", "body", "larger than")),
        named("multi-byte text over the limit in bytes, under it in characters")
            .manager(f -> f.jobs.create(echoText(A, "é".repeat(JobManager.DEFAULT_MAX_PAYLOAD_BYTES / 2))), refused(PayloadTooLargeException.class, "payload", "bytes", 413))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"" + "é".repeat(JobManager.DEFAULT_MAX_PAYLOAD_BYTES / 2) + "\",\"repeat\":1}")),
                refused(PayloadTooLargeException.class, "payload", "bytes", 413)),
        // payload: characters no store keeps
        named("NUL character in a payload string")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"a\\u0000b\",\"repeat\":1}")), refused(InvalidPayloadException.class, "payload.text", "NUL", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"a\\u0000b\",\"repeat\":1}")), refused(InvalidPayloadException.class, "payload.text", "NUL", 400)),
        named("NUL character in a payload field name")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"a\",\"repeat\":1,\"x\\u0000y\":1}")), refused(InvalidPayloadException.class, null, "NUL", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"a\",\"repeat\":1,\"x\\u0000y\":1}")), refused(InvalidPayloadException.class, null, "NUL", 400)),
        named("unpaired UTF-16 surrogate in a payload string")
            .manager(f -> f.jobs.create(echo(A, "{\"text\":\"\\ud83d\",\"repeat\":1}")), refused(InvalidPayloadException.class, "payload.text", "unpaired", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"\\ud83d\",\"repeat\":1}")), refused(InvalidPayloadException.class, "payload.text", "unpaired", 400)),
        // type
        named("unknown type")
            .manager(f -> f.jobs.create(JobRequest.builder(A, "telepathy").payload("{}").build()), refused(UnknownJobTypeException.class, "type", "'telepathy'", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate("telepathy", "{}")), refused(UnknownJobTypeException.class, "type", "'telepathy'", 400)),
        named("empty type")
            .manager(f -> f.jobs.create(JobRequest.builder(A, "").payload("{}").build()), refused(UnknownJobTypeException.class, "type", "unknown job type", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate("", "{}")), problem(400, "invalid_request", "type", "type is required")),
        named("SQL injection as the type")
            .manager(f -> f.jobs.create(JobRequest.builder(A, SQL_INJECTION).payload("{}").build()), refused(UnknownJobTypeException.class, "type", "unknown job type", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(SQL_INJECTION, "{}")), refused(UnknownJobTypeException.class, "type", "unknown job type", 400)),
        named("huge type (100,000 characters)")
            .manager(f -> f.jobs.create(JobRequest.builder(A, "t".repeat(100_000)).payload("{}").build()), refused(UnknownJobTypeException.class, "type", "unknown job type", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate("t".repeat(100_000), "{}")), refused(UnknownJobTypeException.class, "type", "unknown job type", 400)),
        named("type that is not a string")
            .http(f -> f.api.post(f.token(A), GENERATE, "{\"type\":42,\"payload\":{}}"), problem(400, "invalid_request", "type", "type is required")),
        // the HTTP envelope
        named("body sent as text/plain")
            .http(f -> f.api.send(f.api.request(f.token(A), GENERATE).header("Content-Type", "text/plain")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(generate(TYPE, SMALL))).build()),
                problem(415, "unsupported_media_type", null, "application/json")),
        named("body sent as a form")
            .http(f -> f.api.send(f.api.request(f.token(A), GENERATE).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("type=echo&payload=x")).build()),
                problem(415, "unsupported_media_type", null, "application/json")),
        named("declared Content-Length over the server's limit, no body sent")
            .http(f -> f.api.postDeclaringLength(f.token(A), GENERATE, 1L << 40), problem(413, "payload_too_large", "body", "larger than")),
        named("body is a JSON array")
            .http(f -> f.api.post(f.token(A), GENERATE, "[{\"type\":\"echo\"}]"), problem(400, "invalid_request", "body", "must be a JSON object")),
        named("body is empty")
            .http(f -> f.api.post(f.token(A), GENERATE, ""), problem(400, "invalid_request", "body", "must be a JSON object")),
        named("unknown field in the body")
            .http(f -> f.api.post(f.token(A), GENERATE, "{\"type\":\"echo\",\"payload\":{\"text\":\"x\",\"repeat\":1},\"ownerId\":\"bob\"}"),
                problem(400, "invalid_request", "ownerId", "unknown field 'ownerId'")),
        named("payload missing")
            .http(f -> f.api.post(f.token(A), GENERATE, "{\"type\":\"echo\"}"), problem(400, "invalid_request", "payload", "payload is required")),
        named("body nested 5000 levels deep outside the payload")
            .http(f -> f.api.post(f.token(A), GENERATE, "{\"type\":\"echo\",\"payload\":{},\"priority\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
                problem(400, "invalid_request", "body", "not valid JSON")),
        // priority, attempts
        named("priority 0")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).priority(0).build()), refused(InvalidRequestException.class, "priority", "priority must be 1-10, was 0", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"priority\":0")), refused(InvalidRequestException.class, "priority", "priority must be 1-10, was 0", 400)),
        named("priority 11")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).priority(11).build()), refused(InvalidRequestException.class, "priority", "priority must be 1-10, was 11", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"priority\":11")), refused(InvalidRequestException.class, "priority", "priority must be 1-10, was 11", 400)),
        named("priority Integer.MIN_VALUE")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).priority(Integer.MIN_VALUE).build()), refused(InvalidRequestException.class, "priority", "priority must be 1-10", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"priority\":-2147483648")), refused(InvalidRequestException.class, "priority", "priority must be 1-10", 400)),
        named("priority that is not a whole number")
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"priority\":\"high\"")), problem(400, "invalid_request", "priority", "whole number")),
        named("maxAttempts 0")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).maxAttempts(0).build()), refused(InvalidRequestException.class, "maxAttempts", "maxAttempts must be 1-100", 400)),
        named("maxAttempts 101")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).maxAttempts(101).build()), refused(InvalidRequestException.class, "maxAttempts", "maxAttempts must be 1-100", 400)),
        // owner (through HTTP: the token's subject)
        named("blank owner")
            .manager(f -> f.jobs.create(echoText("   ", "x")), refused(InvalidRequestException.class, "ownerId", "ownerId", 400))
            .http(f -> f.api.post(f.api.tokenWithAnySubject("   "), GENERATE, generate(TYPE, SMALL)), problem(401, "unauthorized", null, "not a usable owner id")),
        named("owner of 201 characters")
            .manager(f -> f.jobs.create(echoText("o".repeat(201), "x")), refused(InvalidRequestException.class, "ownerId", "1-200", 400))
            .http(f -> f.api.post(f.api.tokenWithAnySubject("o".repeat(201)), GENERATE, generate(TYPE, SMALL)), problem(401, "unauthorized", null, "not a usable owner id")),
        named("NUL character in the owner")
            .manager(f -> f.jobs.create(echoText("ali\u0000ce", "x")), refused(InvalidRequestException.class, "ownerId", "printable", 400))
            .http(f -> f.api.post(f.api.tokenWithAnySubject("ali\u0000ce"), GENERATE, generate(TYPE, SMALL)), problem(401, "unauthorized", null, "not a usable owner id")),
        named("line break in the owner (log forging)")
            .manager(f -> f.jobs.create(echoText("alice\nINFO forged log line", "x")), refused(InvalidRequestException.class, "ownerId", "printable", 400))
            .http(f -> f.api.post(f.api.tokenWithAnySubject("alice\nINFO forged log line"), GENERATE, generate(TYPE, SMALL)), problem(401, "unauthorized", null, "not a usable owner id")),
        named("unpaired UTF-16 surrogate in the owner")
            .manager(f -> f.jobs.create(echoText("alice\uD800", "x")), refused(InvalidRequestException.class, "ownerId", "ownerId", 400))
            .http(f -> f.api.post(f.api.tokenWithRawClaims("{\"sub\":\"alice\\ud800\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}"),
                GENERATE, generate(TYPE, SMALL)), refused(InvalidRequestException.class, "ownerId", "ownerId", 400)),
        // authentication (HTTP only)
        named("no token")
            .http(f -> f.api.post(null, GENERATE, generate(TYPE, SMALL)), problem(401, "unauthorized", null, "bearer token is required")),
        named("not a JWT")
            .http(f -> f.api.get("' OR 1=1 --", "/api/jobs"), problem(401, "unauthorized", null, "not a well-formed JWT")),
        named("token signed with another secret")
            .http(f -> f.api.post(HttpApi.forgedToken(JwtAuth.randomSecret(), A, Instant.now().plusSeconds(600)), GENERATE, generate(TYPE, SMALL)),
                problem(401, "unauthorized", null, "signature is not valid")),
        named("expired token")
            .http(f -> f.api.post(f.api.expiredToken(A), GENERATE, generate(TYPE, SMALL)),
                problem(401, "unauthorized", null, "expired")),
        named("token made to live longer than the maximum lifetime")
            .http(f -> f.api.post(f.api.tokenWithRawClaims("{\"sub\":\"" + A + "\",\"iat\":" + Instant.now().getEpochSecond()
                    + ",\"exp\":" + (Instant.now().getEpochSecond() + 30 * 86_400) + "}"), GENERATE, generate(TYPE, SMALL)),
                problem(401, "unauthorized", null, "lives longer")),
        named("token without iat that expires beyond the maximum lifetime")
            .http(f -> f.api.post(f.api.tokenWithRawClaims("{\"sub\":\"" + A + "\",\"exp\":" + (Instant.now().getEpochSecond() + 365 * 86_400) + "}"),
                GENERATE, generate(TYPE, SMALL)), problem(401, "unauthorized", null, "lives longer")),
        named("numeric subject")
            .http(f -> f.api.post(f.api.tokenWithRawClaims("{\"sub\":12345,\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}"),
                GENERATE, generate(TYPE, SMALL)), problem(401, "unauthorized", null, "'sub' claim must be a string")),
        named("token issued in the future, beyond the clock-skew leeway")
            .http(f -> f.api.post(f.api.tokenWithRawClaims("{\"sub\":\"" + A + "\",\"iat\":" + (Instant.now().getEpochSecond() + 600)
                    + ",\"exp\":" + (Instant.now().getEpochSecond() + 1200) + "}"), GENERATE, generate(TYPE, SMALL)),
                problem(401, "unauthorized", null, "not valid yet")),
        named("unsigned token (alg none)")
            .http(f -> f.api.post(JWT.create().withSubject(A).withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.none()), GENERATE, generate(TYPE, SMALL)),
                problem(401, "unauthorized", null, "HS256")),
        named("Basic instead of Bearer")
            .http(f -> f.api.send(f.api.request(null, "/api/jobs").header("Authorization", "Basic YWxpY2U6c2VjcmV0").GET().build()),
                problem(401, "unauthorized", null, "Bearer")),
        // idempotency key
        named("idempotency key of 201 characters")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).idempotencyKey("k".repeat(201)).build()), refused(InvalidRequestException.class, "idempotencyKey", "idempotencyKey", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"idempotencyKey\":\"" + "k".repeat(201) + "\"")), refused(InvalidRequestException.class, "idempotencyKey", "idempotencyKey", 400)),
        named("blank idempotency key")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).idempotencyKey(" ").build()), refused(InvalidRequestException.class, "idempotencyKey", "idempotencyKey", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"idempotencyKey\":\" \"")), refused(InvalidRequestException.class, "idempotencyKey", "idempotencyKey", 400)),
        named("control character in the idempotency key")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).idempotencyKey("key\u0007").build()), refused(InvalidRequestException.class, "idempotencyKey", "printable", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"idempotencyKey\":\"key\\u0007\"")), refused(InvalidRequestException.class, "idempotencyKey", "printable", 400)),
        named("unpaired UTF-16 surrogate in the idempotency key")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload(SMALL).idempotencyKey("key\uDC00").build()), refused(InvalidRequestException.class, "idempotencyKey", "idempotencyKey", 400))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"idempotencyKey\":\"key\\udc00\"")), refused(InvalidRequestException.class, "idempotencyKey", "idempotencyKey", 400)),
        named("idempotency key that is not a string")
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, SMALL, "\"idempotencyKey\":{\"$ne\":null}")), problem(400, "invalid_request", "idempotencyKey", "must be a string")),
        named("idempotency key reused with another payload")
            .manager(f -> f.jobs.create(JobRequest.builder(A, TYPE).payload("{\"text\":\"other\",\"repeat\":1}").idempotencyKey(FIXTURE_KEY).build()), refused(IdempotencyConflictException.class, null, FIXTURE_KEY, 409))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"other\",\"repeat\":1}", "\"idempotencyKey\":\"" + FIXTURE_KEY + "\"")),
                refused(IdempotencyConflictException.class, null, FIXTURE_KEY, 409)),
        // moderation
        named("text the moderator blocks")
            .manager(f -> f.jobs.create(echoText(A, "a MASSACRE scene")), refused(ContentRejectedException.class, null, "violence", 422))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"a MASSACRE scene\",\"repeat\":1}")), refused(ContentRejectedException.class, null, "violence", 422)),
        // progress (no HTTP route: external workers report through the manager)
        named("progress -1")
            .manager(f -> f.jobs.updateProgress(A, f.processing, -1, null), refused(InvalidRequestException.class, "progress", "progress must be 0-100, was -1", 400)),
        named("progress 101")
            .manager(f -> f.jobs.updateProgress(A, f.processing, 101, null), refused(InvalidRequestException.class, "progress", "progress must be 0-100, was 101", 400)),
        named("progress going backwards")
            .manager(f -> f.jobs.updateProgress(A, f.processing, 40, null), refused(InvalidRequestException.class, "progress", "backwards", 400)),
        named("progress of a job that is not running")
            .manager(f -> f.jobs.updateProgress(A, f.pending, 60, null), refused(IllegalJobStateException.class, null, "PENDING", 409)),
        named("progress of an unknown job")
            .manager(f -> f.jobs.updateProgress(A, UUID.randomUUID(), 60, null), refused(JobNotFoundException.class, null, "not found", 404)),
        named("NUL character in a progress message")
            .manager(f -> f.jobs.updateProgress(A, f.processing, 50, "a\u0000b"), refused(InvalidRequestException.class, "message", "message", 400)),
        named("progress message of 100,000 characters")
            .manager(f -> f.jobs.updateProgress(A, f.processing, 50, "m".repeat(100_000)), refused(InvalidRequestException.class, "message", "message", 400)),
        // reading, cancelling, listing
        named("get an unknown id")
            .manager(f -> f.jobs.get(A, UUID.randomUUID()), refused(JobNotFoundException.class, null, "not found", 404))
            .http(f -> f.api.get(f.token(A), "/api/jobs/" + UUID.randomUUID()), refused(JobNotFoundException.class, null, "not found", 404)),
        named("cancel an unknown id")
            .manager(f -> f.jobs.cancel(A, UUID.randomUUID()), refused(JobNotFoundException.class, null, "not found", 404))
            .http(f -> f.api.delete(f.token(A), "/api/jobs/" + UUID.randomUUID()), refused(JobNotFoundException.class, null, "not found", 404)),
        named("cancel a job that already finished")
            .manager(f -> f.jobs.cancel(A, f.finished), refused(IllegalJobStateException.class, null, "CANCELLED", 409))
            .http(f -> f.api.delete(f.token(A), "/api/jobs/" + f.finished), refused(IllegalJobStateException.class, null, "CANCELLED", 409)),
        named("job id that is not a UUID")
            .http(f -> f.api.get(f.token(A), "/api/jobs/not-a-uuid"), problem(400, "invalid_request", "id", "must be a UUID")),
        named("job id that is not a UUID, when cancelling")
            .http(f -> f.api.delete(f.token(A), "/api/jobs/12345"), problem(400, "invalid_request", "id", "must be a UUID")),
        named("SQL injection as the job id")
            .http(f -> f.api.get(f.token(A), "/api/jobs/" + url("' OR '1'='1")), problem(400, "invalid_request", "id", "must be a UUID")),
        named("NUL character as the job id")
            // Jetty refuses the URI before any route sees it; its error handler answers a problem too
            .http(f -> f.api.get(f.token(A), "/api/jobs/%00"), problem(400, "bad_request", null, "malformed")),
        named("list with page size 0")
            .manager(f -> f.jobs.list(JobQuery.forOwner(A).limit(0).build()), refused(InvalidRequestException.class, "limit", "limit must be 1-500", 400))
            .http(f -> f.api.get(f.token(A), "/api/jobs?limit=0"), refused(InvalidRequestException.class, "limit", "limit must be 1-500", 400)),
        named("list with page size 501")
            .manager(f -> f.jobs.list(JobQuery.forOwner(A).limit(501).build()), refused(InvalidRequestException.class, "limit", "limit must be 1-500", 400))
            .http(f -> f.api.get(f.token(A), "/api/jobs?limit=501"), refused(InvalidRequestException.class, "limit", "limit must be 1-500", 400)),
        named("list with a page size that is not a number")
            .http(f -> f.api.get(f.token(A), "/api/jobs?limit=" + url("1; DROP TABLE jobs")), problem(400, "invalid_request", "limit", "whole number")),
        named("list with a forged cursor")
            .manager(f -> f.jobs.list(JobQuery.forOwner(A).cursor("' OR 1=1 --").build()), refused(InvalidRequestException.class, "cursor", "cursor", 400))
            .http(f -> f.api.get(f.token(A), "/api/jobs?cursor=" + url("' OR 1=1 --")), refused(InvalidRequestException.class, "cursor", "cursor", 400)),
        named("list with an unknown status")
            .http(f -> f.api.get(f.token(A), "/api/jobs?status=DONE"), problem(400, "invalid_request", "status", "status must be among")),
        named("list without an owner")
            .manager(f -> f.jobs.list(JobQuery.allOwners().build()), refused(InvalidRequestException.class, "ownerId", "owner", 400)),
        named("statistics of all owners with a tenant's token")
            .http(f -> f.api.get(f.token(A), "/api/stats?scope=all"), problem(403, "forbidden", null, "operators only")),
        named("statistics of an unknown scope")
            .http(f -> f.api.get(f.token(A), "/api/stats?scope=" + url("all' --")), problem(400, "invalid_request", "scope", "scope must be")),
        named("event stream without Accept: text/event-stream")
            .http(f -> f.api.get(f.token(A), "/api/jobs/events"), problem(406, "not_acceptable", null, "text/event-stream")),
        // event stream credentials (HTTP only): the token never in a URL, a ticket only for the stream
        named("the token itself in the event stream's query string")
            .http(f -> f.api.openStream("?token=" + url(f.token(A))), problem(401, "unauthorized", null, "not accepted in the URL")),
        named("the token as ?access_token= on the event stream")
            .http(f -> f.api.openStream("?access_token=" + url(f.token(A))), problem(401, "unauthorized", null, "not accepted in the URL")),
        named("stream ticket that is not a JWT")
            .http(f -> f.api.openStream("?ticket=" + url("' OR 1=1 --")), problem(401, "unauthorized", null, "not a well-formed ticket")),
        named("stream ticket signed with the bearer key")
            .http(f -> f.api.openStream("?ticket=" + f.api.ticketSignedWithTheBearerKey(A)), problem(401, "unauthorized", null, "signature is not valid")),
        named("bearer token as a stream ticket")
            .http(f -> f.api.openStream("?ticket=" + f.token(A)), problem(401, "unauthorized", null, "signature is not valid")),
        named("expired stream ticket")
            .http(f -> f.api.openStream("?ticket=" + f.api.forgedTicket(A, Instant.now().minusSeconds(60))), problem(401, "unauthorized", null, "stream ticket expired")),
        named("stream ticket used a second time")
            .http(f -> {
              String ticket = f.api.ticket(A);
              f.api.events(null, "?ticket=" + ticket).close();
              return f.api.openStream("?ticket=" + ticket);
            }, problem(401, "unauthorized", null, "used already")),
        named("stream ticket as a bearer token")
            .http(f -> f.api.get(f.api.ticket(A), "/api/jobs"), problem(401, "unauthorized", null, "only opens the event stream")),
        named("one event stream more than a user may open")
            .http(f -> {
              String hog = "stream-hog";
              List<SseClient> open = new java.util.ArrayList<>();
              try {
                for (int i = 0; i < 5; i++) {
                  open.add(f.api.events(f.token(hog)));
                }
                return f.api.send(f.api.request(f.token(hog), "/api/jobs/events").header("Accept", "text/event-stream").GET().build());
              } finally {
                open.forEach(SseClient::close);
              }
            }, problem(429, "too_many_streams", null, "event streams open")),

        // accepted as plain text: stored exactly as sent, harmless
        named("SQL injection in a payload string")
            .manager(f -> f.jobs.create(echoText(A, SQL_INJECTION)), accepted(1, (f, r) -> f.assertStoredText(r, SQL_INJECTION)))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, textPayload(SQL_INJECTION))), accepted(1, (f, r) -> f.assertStoredText(r, SQL_INJECTION))),
        named("script injection in a payload string")
            .manager(f -> f.jobs.create(echoText(A, SCRIPT_INJECTION)), accepted(1, (f, r) -> f.assertStoredText(r, SCRIPT_INJECTION)))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, textPayload(SCRIPT_INJECTION))), accepted(1, (f, r) -> f.assertStoredText(r, SCRIPT_INJECTION))),
        named("Unicode edge cases in a payload string")
            .manager(f -> f.jobs.create(echoText(A, UNICODE_ZOO)), accepted(1, (f, r) -> f.assertStoredText(r, UNICODE_ZOO)))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, textPayload(UNICODE_ZOO))), accepted(1, (f, r) -> f.assertStoredText(r, UNICODE_ZOO))),
        named("SQL injection as the owner")
            .manager(f -> f.jobs.create(echoText(SQL_INJECTION, "x")), accepted(1, (f, r) -> f.assertOwnedOnlyBy(r, SQL_INJECTION)))
            .http(f -> f.api.post(f.token(SQL_INJECTION), GENERATE, generate(TYPE, SMALL)), accepted(1, (f, r) -> f.assertOwnedOnlyBy(r, SQL_INJECTION))),
        named("Unicode edge cases as the owner")
            .manager(f -> f.jobs.create(echoText(UNICODE_OWNER, "x")), accepted(1, (f, r) -> f.assertOwnedOnlyBy(r, UNICODE_OWNER)))
            .http(f -> f.api.post(f.token(UNICODE_OWNER), GENERATE, generate(TYPE, SMALL)), accepted(1, (f, r) -> f.assertOwnedOnlyBy(r, UNICODE_OWNER))),
        named("SQL injection as the idempotency key")
            .manager(f -> f.jobs.create(keyed(SQL_INJECTION)), accepted(1, (f, r) -> f.assertKeyReturnsTheSameJob(r, SQL_INJECTION)))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, "{\"text\":\"k\",\"repeat\":1}", "\"idempotencyKey\":" + json(SQL_INJECTION + "-http"))),
                accepted(1, (f, r) -> f.assertKeyReturnsTheSameJob(r, SQL_INJECTION + "-http"))),
        named("SQL and script injection in a progress message")
            .manager(f -> f.jobs.updateProgress(A, f.processing, 50, SQL_INJECTION + SCRIPT_INJECTION),
                accepted(0, (f, r) -> assertThat(f.jobs.get(A, f.processing).progressMessage()).isEqualTo(SQL_INJECTION + SCRIPT_INJECTION))),
        named("duplicate keys in the payload: the last one wins, as stored")
            .manager(f -> f.jobs.create(echo(A, DUPLICATE_KEYS)), accepted(1, (f, r) -> f.assertStoredText(r, "last")))
            .http(f -> f.api.post(f.token(A), GENERATE, generate(TYPE, DUPLICATE_KEYS)), accepted(1, (f, r) -> f.assertStoredText(r, "last"))),
        named("SQL injection as a list filter")
            .manager(f -> f.jobs.list(JobQuery.forOwner(A).types(SQL_INJECTION).build()), accepted(0, (f, r) -> assertThat(((Page<?>) r).items()).isEmpty()))
            .http(f -> f.api.get(f.token(A), "/api/jobs?type=" + url(SQL_INJECTION)), accepted(0, (f, r) -> assertThat(((HttpApi.Response) r).json().get("items")).isEmpty())));
  }

  // ------------------------------------------------------------------ the test

  @Test
  void theCatalogueHoldsAtLeastThirtyRefusedInputs() {
    assertThat(catalogue().filter(c -> c.managerAnswer() instanceof BadInput.Refused)).hasSizeGreaterThanOrEqualTo(30);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("catalogue")
  void eachBadInputIsRefusedWithATypedErrorOrStoredAsPlainTextAndNothingElseChanges(BadInput input) throws Exception {
    assertThat(input.manager() != null || input.http() != null).as("a row with a column").isTrue();
    if (input.manager() != null) {
      answeredThrough("JobManager", input.manager(), input.managerAnswer(), this::assertManagerRefusal);
    }
    if (input.http() != null) {
      answeredThrough("HTTP", input.http(), input.httpAnswer(), this::assertHttpRefusal);
    }
  }

  /** How one channel's refusal is checked. */
  @FunctionalInterface
  interface RefusalCheck {
    void check(BadInput.Refused expected, @Nullable Object returned, @Nullable Throwable thrown) throws Exception;
  }

  void answeredThrough(String channel, BadInput.Call call, BadInput.Answer answer, RefusalCheck refusal) throws Exception {
    Map<UUID, Job> before = jobsButMarkers();
    Map<String, QuotaWindow> quotaBefore = quotaWindows(before);
    awaitEventOf(jobs.create(echoText(MARKER_OWNER, "before")));
    int eventsBefore = events.events().size();

    Object returned = null;
    Throwable thrown;
    try {
      returned = call.run(this);
      thrown = null;
    } catch (Throwable t) {
      thrown = t;
    }

    Job after = jobs.create(echoText(MARKER_OWNER, "after"));
    awaitEventOf(after);
    List<JobEvent> between = events.events().subList(eventsBefore, events.events().size());
    Map<UUID, Job> now = jobsButMarkers();
    if (answer instanceof BadInput.Refused r) {
      refusal.check(r, returned, thrown);
      assertThat(between).as("%s: events between the markers", channel).extracting(JobEvent::jobId).containsOnly(after.id());
      assertThat(now).as("%s: jobs after the refused input", channel).isEqualTo(before);
      assertThat(quotaWindows(before)).as("%s: quota use", channel).isEqualTo(quotaBefore);
    } else {
      BadInput.Accepted a = (BadInput.Accepted) answer;
      assertThat(thrown).as("%s: accepted without an error", channel).isNull();
      UUID touched = touchedJob(returned);
      assertThat(between).as("%s: events between the markers", channel).extracting(JobEvent::jobId)
          .allMatch(id -> id.equals(after.id()) || id.equals(touched));
      assertThat(now).as("%s: jobs after the accepted input", channel).hasSize(before.size() + a.rowsAdded());
      before.forEach((id, job) -> {
        if (!id.equals(touched)) {
          assertThat(now.get(id)).as("%s: untouched job %s", channel, id).isEqualTo(job);
        }
      });
      a.check().check(this, returned);
    }
  }

  /** The job an accepted input created or changed, read from what the channel returned. */
  private static @Nullable UUID touchedJob(@Nullable Object returned) {
    if (returned instanceof Job j) {
      return j.id();
    }
    if (returned instanceof HttpApi.Response r && r.status() == 202) {
      return UUID.fromString(r.json().get("id").asText());
    }
    return null;
  }

  private void assertHttpRefusal(BadInput.Refused expected, @Nullable Object returned, @Nullable Throwable thrown) {
    assertThat(thrown).as("the HTTP call itself").isNull();
    HttpApi.Response response = (HttpApi.Response) returned;
    assertThat(response.status()).as("status of %s", response.body().length() > 2000 ? response.body().substring(0, 2000) : response.body())
        .isEqualTo(expected.status());
    assertThat(response.contentType()).startsWith("application/problem+json");
    JsonNode problem = response.json();
    assertThat(problem.path("code").asText()).isEqualTo(expected.code() != null ? expected.code() : CODES.get(expected.type()));
    assertThat(problem.path("status").asInt()).isEqualTo(expected.status());
    if (expected.field() != null) {
      assertThat(problem.path("field").asText()).isEqualTo(expected.field());
    }
    assertThat(problem.path("detail").asText()).contains(expected.detail()).hasSizeLessThanOrEqualTo(MAX_MESSAGE_LENGTH);
    assertThat(response.body()).as("a refused create returns no job").doesNotContain("\"links\"");
  }

  /** The problem code HTTP answers for each exception of the manager. */
  private static final Map<Class<?>, String> CODES = Map.of(
      InvalidRequestException.class, "invalid_request",
      InvalidPayloadException.class, "invalid_payload",
      UnknownJobTypeException.class, "unknown_type",
      PayloadTooLargeException.class, "payload_too_large",
      JobNotFoundException.class, "not_found",
      IllegalJobStateException.class, "illegal_state",
      IdempotencyConflictException.class, "idempotency_conflict",
      ContentRejectedException.class, "content_rejected");

  private void assertManagerRefusal(BadInput.Refused expected, @Nullable Object returned, @Nullable Throwable thrown) {
    assertThat(thrown).as("returned %s instead of refusing", returned).isInstanceOf(expected.type());
    if (expected.field() != null) {
      assertThat(thrown).isInstanceOf(InvalidRequestException.class);
      assertThat(((InvalidRequestException) thrown).field()).isEqualTo(expected.field());
    }
    assertThat(thrown.getMessage()).contains(expected.detail()).hasSizeLessThanOrEqualTo(MAX_MESSAGE_LENGTH);
  }

  private void awaitEventOf(Job job) {
    events.await(e -> e.jobId().equals(job.id()), WAIT, "event of marker " + job.id());
  }

  /** Every job but the markers, by id, as the store has it now. */
  Map<UUID, Job> jobsButMarkers() {
    Map<UUID, Job> out = new LinkedHashMap<>();
    JobQuery query = JobQuery.allOwners().limit(JobQuery.MAX_LIMIT).build();
    while (true) {
      Page<Job> page = store.query(query);
      page.items().stream().filter(j -> !j.ownerId().equals(MARKER_OWNER)).forEach(j -> out.put(j.id(), j));
      if (!page.hasNext()) {
        return out;
      }
      query = query.withCursor(page.nextCursor());
    }
  }

  private Map<String, QuotaWindow> quotaWindows(Map<UUID, Job> jobs) {
    Map<String, QuotaWindow> out = new HashMap<>();
    out.put(A, store.quotaWindow(A));
    jobs.values().forEach(j -> out.computeIfAbsent(j.ownerId(), store::quotaWindow));
    return out;
  }

  // ------------------------------------------------------------------ checks of accepted inputs

  /** The job an accepted create returned, read back through the manager. */
  private Job createdJob(Object returned) {
    if (returned instanceof HttpApi.Response r) {
      assertThat(r.status()).as("accepted: %s", r.body()).isEqualTo(202);
      UUID id = UUID.fromString(r.json().get("id").asText());
      return store.find(id).orElseThrow();
    }
    return (Job) returned;
  }

  void assertStoredText(Object returned, String text) {
    Job job = createdJob(returned);
    Job stored = jobs.get(job.ownerId(), job.id());
    assertThat(stored.payloadTree().get("text").textValue()).isEqualTo(text);
    assertThat(stored.payloadTree().size()).isEqualTo(2);
    if (returned instanceof HttpApi.Response) {
      // read back through the API too: a JSON string in application/json, not markup
      HttpApi.Response got = api.get(token(job.ownerId()), "/api/jobs/" + job.id());
      assertThat(got.contentType()).startsWith("application/json");
      assertThat(got.json().path("payload").path("text").textValue()).isEqualTo(text);
    }
  }

  void assertOwnedOnlyBy(Object returned, String owner) {
    Job job = createdJob(returned);
    assertThat(job.ownerId()).isEqualTo(owner);
    assertThat(jobs.get(owner, job.id()).ownerId()).isEqualTo(owner);
    assertThat(jobs.list(JobQuery.forOwner(owner).build()).items()).extracting(Job::id).contains(job.id());
    assertThat(jobs.find(A, job.id())).as("another owner does not see it").isEmpty();
    assertThat(api.get(token(A), "/api/jobs/" + job.id()).status()).as("nor through HTTP").isEqualTo(404);
  }

  void assertKeyReturnsTheSameJob(Object returned, String key) {
    Job job = createdJob(returned);
    assertThat(job.idempotencyKey()).isEqualTo(key);
    Job again = jobs.create(keyed(key));
    assertThat(again.id()).as("the same key returns the same job").isEqualTo(job.id());
  }
}
