package dev.asyncjobs.examples.http;

import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.UnsupportedMediaTypeResponse;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The before-filter that looks at a request body's headers before anything reads the body: a
 * declared {@code Content-Length} over the limit is refused at once (Javalin would read up to the
 * limit first), and a body that is not JSON is refused on the JSON routes, so that a {@code
 * text/plain} or form post is never parsed as a job request.
 */
final class RequestBodyRules {
  private final long maxBodyBytes;

  RequestBodyRules(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Every route: a declared length over the limit is a 413 before a byte of the body is read. */
  void limitDeclaredLength(Context ctx) {
    if (ctx.req().getContentLengthLong() > maxBodyBytes) {
      throw new ContentTooLargeResponse();
    }
  }

  /**
   * The routes that read a JSON body: anything but JSON is a 415. A missing type is refused too:
   * {@code curl -d} would send a form type, and a guess is how a body gets parsed as what it is not.
   */
  void requireJson(Context ctx) {
    if (ctx.method() == HandlerType.POST && !isJson(ctx.header("Content-Type"))) {
      throw new UnsupportedMediaTypeResponse();
    }
  }

  /** {@code application/json} or {@code application/<x>+json}, with any parameters. */
  static boolean isJson(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    String mime = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
  }
}
