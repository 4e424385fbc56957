package dev.asyncjobs;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A generator's opt-in to reuse results ({@link Generator#resultCache()}): a create whose request
 * matches a job completed within {@link #ttl()} (same type, same payload as canonical JSON, same
 * {@link #version()}, and the same owner unless {@link #shareableAcrossOwners()}) is answered with a
 * new job that is COMPLETED at once with that job's result ({@link Job#cachedFrom()}): no provider
 * call, no attempt, nothing reserved against a budget. A create due now that matches a job still
 * PROCESSING, or PENDING and due, joins it instead: the new job {@linkplain Job#waitsForAnotherJob()
 * waits} and completes with the same result when that job does (one provider call for both); if
 * that job fails or is cancelled, each owner's oldest job waiting for it runs in its place. A request opts out with {@link
 * JobRequest.Builder#useCache(boolean)}. Immutable.
 */
public final class ResultCache {
  private static final Pattern VERSION = Pattern.compile("[\\x21-\\x7e]{1,100}");
  private static final Duration MAX_TTL = Duration.ofDays(365);

  private final Duration ttl;
  private final String version;
  private final boolean shareableAcrossOwners;

  private ResultCache(Builder b) {
    this.ttl = b.ttl;
    this.version = b.version;
    this.shareableAcrossOwners = b.shareableAcrossOwners;
  }

  /**
   * Starts a cache whose results are reused for {@code ttl} after they completed.
   *
   * @param ttl 1 second to 365 days
   * @return a builder
   * @throws JobConfigurationException the ttl is out of range
   */
  public static Builder builder(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw new JobConfigurationException("a result cache's ttl must be 1 s to 365 days, was " + ttl);
    }
    return new Builder(ttl);
  }

  /** {@return how long after a job completed its result is reused} */
  public Duration ttl() {
    return ttl;
  }

  /**
   * {@return what else a result depends on besides type and payload: the generator's version, its
   * model; results of another version are not reused}
   */
  public String version() {
    return version;
  }

  /** {@return whether one owner's result may answer another owner's identical request} */
  public boolean shareableAcrossOwners() {
    return shareableAcrossOwners;
  }

  /** Settings of a cache. */
  public static final class Builder {
    private final Duration ttl;
    private String version = "1";
    private boolean shareableAcrossOwners;

    private Builder(Duration ttl) {
      this.ttl = ttl;
    }

    /**
     * What else results depend on: change it when a new generator version or model would answer
     * differently; default {@code "1"}.
     *
     * @param v 1–100 printable ASCII characters without spaces, e.g. {@code gpt-image-1@2}
     * @return this builder
     * @throws JobConfigurationException the version is not one
     */
    public Builder version(String v) {
      if (v == null || !VERSION.matcher(v).matches()) {
        throw new JobConfigurationException("a result cache's version must be 1-100 printable ASCII characters without spaces, was '"
            + v + "'");
      }
      this.version = v;
      return this;
    }

    /**
     * Whether one owner's result may answer another owner's identical request; default false. Only
     * for results that reveal nothing of the owner who asked first (a public rendering of a public
     * prompt): the second owner sees the first one's result.
     *
     * @param shareable true to share across owners
     * @return this builder
     */
    public Builder shareableAcrossOwners(boolean shareable) {
      this.shareableAcrossOwners = shareable;
      return this;
    }

    /** {@return the cache settings} */
    public ResultCache build() {
      return new ResultCache(this);
    }
  }
}
