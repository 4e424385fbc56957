package dev.asyncjobs.examples.http;

import org.eclipse.jetty.http.HttpFields;

/**
 * The headers every API answer carries: answers hold a tenant's data, so no cache (browser or
 * proxy) may keep them, and a browser must not guess a type other than the one declared.
 */
final class ApiHeaders {
  static final String CACHE_CONTROL = "no-store";
  static final String CONTENT_TYPE_OPTIONS = "nosniff";

  private ApiHeaders() {}

  /** On a Javalin answer. */
  static void apply(io.javalin.http.Context ctx) {
    ctx.header("Cache-Control", CACHE_CONTROL);
    ctx.header("X-Content-Type-Options", CONTENT_TYPE_OPTIONS);
  }

  /** On an answer Jetty writes by itself. */
  static void apply(HttpFields.Mutable headers) {
    headers.put("Cache-Control", CACHE_CONTROL);
    headers.put("X-Content-Type-Options", CONTENT_TYPE_OPTIONS);
  }
}
