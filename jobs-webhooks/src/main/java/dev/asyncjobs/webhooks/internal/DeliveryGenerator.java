package dev.asyncjobs.webhooks.internal;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.InvalidPayloadException;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.PermanentGenerationException;
import dev.asyncjobs.RetryableGenerationException;
import dev.asyncjobs.webhooks.WebhookRefusedException;
import dev.asyncjobs.webhooks.WebhookSecrets;
import dev.asyncjobs.webhooks.WebhookSignature;
import java.io.IOException;
import java.net.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Sends one webhook per attempt: a signed POST of the body the dispatcher fixed. A 2xx answer
 * ends the job; 408, 429, 5xx, timeouts and network errors are retried after the attempt's delay
 * (or the receiver's {@code Retry-After}, when longer); a redirect (never followed) or another 4xx
 * fails it at once, as does a URL or address the rules refuse, or an owner without a secret.
 */
public final class DeliveryGenerator extends AbstractGenerator<Delivery> implements AutoCloseable {
  private static final MediaType JSON = MediaType.get("application/json");
  /** The longest {@code Retry-After} honoured: a receiver cannot park a delivery for longer. */
  private static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

  private final UrlRules rules;
  private final WebhookSecrets secrets;
  private final List<Duration> retryDelays;
  private final Clock clock;
  private final String deliveryOwner;
  private final OkHttpClient http;

  /**
   * @param rules which URLs and addresses may be called
   * @param secrets the owners' signing secrets
   * @param timeout the longest a delivery attempt takes, connecting included
   * @param retryDelays the wait after each failed attempt; the last one repeats
   * @param clock the source of {@code webhook-timestamp}
   * @param resolver the name lookup the guard wraps ({@link Dns#SYSTEM} outside tests)
   * @param deliveryOwner the owner of the dispatcher's delivery jobs; others are refused
   */
  public DeliveryGenerator(UrlRules rules, WebhookSecrets secrets, Duration timeout, List<Duration> retryDelays,
      Clock clock, Dns resolver, String deliveryOwner) {
    super(Delivery.TYPE);
    this.rules = rules;
    this.secrets = secrets;
    this.retryDelays = List.copyOf(retryDelays);
    this.clock = clock;
    this.deliveryOwner = deliveryOwner;
    this.http = new OkHttpClient.Builder()
        .dns(new GuardedDns(rules, resolver))
        // Through a proxy, the proxy would resolve and connect to the host, past every check.
        .proxy(Proxy.NO_PROXY)
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .connectTimeout(timeout)
        .readTimeout(timeout)
        .callTimeout(timeout)
        .addNetworkInterceptor(new GuardedDns.PeerCheck(rules))
        .build();
  }

  @Override
  public void validate(Delivery d) {
    require(d.url(), "payload.url");
    require(d.ownerId(), "payload.ownerId");
    require(d.messageId(), "payload.messageId");
    require(d.body(), "payload.body");
  }

  private static void require(@Nullable String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new InvalidPayloadException(field, field + " is required");
    }
  }

  @Override
  public List<String> moderationText(Delivery payload) {
    return List.of(); // the body is a finished job's view, not a prompt
  }

  @Override
  public Duration estimate(Delivery payload) {
    return Duration.ofSeconds(1);
  }

  @Override
  public Object generate(Delivery d, JobContext context) {
    if (!deliveryOwner.equals(context.ownerId())) {
      // A second line behind the create interceptor (a manager built without it): a delivery job
      // of another owner was not made by the dispatcher and must not be signed with anyone's secret.
      throw new WebhookRefusedException("webhook not sent: delivery jobs are the dispatcher's, owned by " + deliveryOwner
          + ", this one is owned by " + context.ownerId());
    }
    HttpUrl url;
    try {
      url = rules.check(d.url());
    } catch (UrlRules.RefusedUrl e) {
      throw new WebhookRefusedException(e.getMessage());
    }
    List<String> keys = secrets.secretsOf(d.ownerId());
    if (keys.isEmpty()) {
      throw new WebhookRefusedException("webhook not sent: owner " + d.ownerId() + " has no signing secret (WebhookSecrets)");
    }
    long timestamp = clock.instant().getEpochSecond();
    String signature;
    try {
      signature = WebhookSignature.header(keys, d.messageId(), timestamp, d.body());
    } catch (IllegalArgumentException e) {
      throw new WebhookRefusedException("webhook not sent: a signing secret of owner " + d.ownerId() + " is not valid: " + e.getMessage());
    }
    Request request = new Request.Builder()
        .url(url)
        .header("User-Agent", "asyncjobs-webhooks")
        .header("webhook-id", d.messageId())
        .header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", signature)
        .post(RequestBody.create(d.body(), JSON))
        .build();
    Call call = http.newCall(request);
    try (Response response = call.execute()) {
      return answered(response, context);
    } catch (IOException e) {
      String refused = GuardedDns.refusalIn(e);
      if (refused != null) {
        throw new WebhookRefusedException(refused);
      }
      throw new RetryableGenerationException(
          "webhook to " + origin(url) + " failed: " + e, delayAfter(context.attempt()), e);
    }
  }

  private Object answered(Response response, JobContext context) {
    int code = response.code();
    String where = origin(response.request().url());
    if (code >= 200 && code < 300) {
      return Map.of("status", code, "attempt", context.attempt());
    }
    if (code >= 300 && code < 400) {
      throw new WebhookRefusedException(
          "webhook to " + where + " answered HTTP " + code + ": redirects are not followed (give the final URL)");
    }
    if (code == 408 || code == 429 || code >= 500) {
      Duration wait = delayAfter(context.attempt());
      Duration asked = retryAfter(response.header("Retry-After"));
      throw new RetryableGenerationException(
          "webhook to " + where + " answered HTTP " + code, asked != null && asked.compareTo(wait) > 0 ? asked : wait, null);
    }
    throw new PermanentGenerationException("webhook to " + where + " answered HTTP " + code + "; not retried");
  }

  /** The wait after attempt {@code attempt} (from 1) failed. */
  Duration delayAfter(int attempt) {
    return retryDelays.get(Math.min(Math.max(attempt, 1), retryDelays.size()) - 1);
  }

  /** A {@code Retry-After} in seconds (the HTTP-date form is not used by webhook receivers), capped. */
  private static @Nullable Duration retryAfter(@Nullable String header) {
    if (header == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.strip());
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String origin(HttpUrl url) {
    String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host();
    return url.scheme() + "://" + host + (url.port() == HttpUrl.defaultPort(url.scheme()) ? "" : ":" + url.port());
  }

  /** Releases the client's connections and threads. */
  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
