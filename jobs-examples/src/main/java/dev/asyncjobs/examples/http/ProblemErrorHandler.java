package dev.asyncjobs.examples.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Jetty's own refusals (a malformed request line, a URI or headers too long, a body too slow) as
 * {@code application/problem+json}, like every other error of the API, instead of Jetty's HTML
 * page. Jetty's message (e.g. "Ambiguous URI empty segment") is never echoed: only the status and
 * its standard reason.
 */
final class ProblemErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(Request request, Response response, int code, @Nullable String message, @Nullable Throwable cause,
      Callback callback) {
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
    ApiHeaders.apply(headers);
    response.write(true, ByteBuffer.wrap(body(code, request.getHttpURI().getPath())), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, @Nullable String reason, HttpFields.Mutable fields) {
    // Called when the request could not even be parsed into a Request (no path to name).
    fields.put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
    ApiHeaders.apply(fields);
    return ByteBuffer.wrap(body(status, null));
  }

  private static byte[] body(int status, @Nullable String path) {
    Problem problem = forStatus(status);
    String instance = path == null ? "" : path;
    return HttpIo.text(problem.body(instance)).getBytes(StandardCharsets.UTF_8);
  }

  /** The problem for a status Jetty answers by itself. */
  static Problem forStatus(int status) {
    String reason = HttpStatus.getMessage(status);
    return switch (status) {
      case 400 -> Problem.of(400, "bad_request", reason, "the request is malformed");
      case 408 -> Problem.of(408, "request_timeout", reason, "the request was not received in time");
      case 413 -> Problem.of(413, "payload_too_large", reason, "the request is larger than the server accepts");
      case 414 -> Problem.of(414, "uri_too_long", reason, "the request URI is longer than the server accepts");
      case 431 -> Problem.of(431, "headers_too_large", reason, "the request headers are larger than the server accepts");
      default -> Problem.of(status, "http_" + status, reason, reason);
    };
  }
}
