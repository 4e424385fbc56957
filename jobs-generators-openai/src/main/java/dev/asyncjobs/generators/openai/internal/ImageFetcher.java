package dev.asyncjobs.generators.openai.internal;

import dev.asyncjobs.RetryableGenerationException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Downloads an image OpenAI made, before its URL expires. Runs on the call runner's helper thread,
 * whose interrupt aborts the JDK client's request.
 */
final class ImageFetcher {
  /** Larger images than this are refused: OpenAI's largest PNGs are a few MB. */
  static final int MAX_BYTES = 50 * 1024 * 1024;

  private final HttpClient http;
  private final Duration timeout;

  ImageFetcher(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /** The bytes at {@code url}; any failure is retryable (a new attempt makes a new image). */
  byte[] fetch(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new RetryableGenerationException("OpenAI returned an image URL that is not a URL: " + url, null, e);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new RetryableGenerationException("could not download the generated image from " + host(uri) + ": " + e, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetryableGenerationException("the image download was aborted", null, e);
    }
    if (response.statusCode() != 200) {
      throw new RetryableGenerationException(
          "could not download the generated image from " + host(uri) + ": HTTP " + response.statusCode()
              + " (the URL may have expired)");
    }
    byte[] body = response.body();
    if (body.length == 0 || body.length > MAX_BYTES) {
      throw new RetryableGenerationException("the generated image download from " + host(uri) + " had " + body.length + " bytes");
    }
    return body;
  }

  private static String host(URI uri) {
    return uri.getScheme() + "://" + uri.getAuthority();
  }
}
