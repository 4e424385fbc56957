package dev.asyncjobs.examples.http;

/**
 * The request carries no usable token (HTTP 401). Not a {@link dev.asyncjobs.JobException}: it is
 * about the HTTP caller, not about jobs.
 */
public final class UnauthorizedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean tokenPresent;

  /**
   * A refusal.
   *
   * @param message why, for the caller (never echoes the token)
   * @param tokenPresent whether a token was sent; RFC 6750 adds {@code error="invalid_token"} only then
   */
  public UnauthorizedException(String message, boolean tokenPresent) {
    super(message);
    this.tokenPresent = tokenPresent;
  }

  /** Whether a token was sent at all. */
  public boolean tokenPresent() {
    return tokenPresent;
  }
}
