package dev.asyncjobs;

import org.jspecify.annotations.Nullable;

/** The store failed (database down, serialization failure after retries, …). */
public class JobStoreException extends JobException {
  private static final long serialVersionUID = 1L;
  /** The SQL state, or {@code null}. */
  private final @Nullable String sqlState;

  /**
   * A store failure with an optional SQL state.
   *
   * @param message what failed
   * @param sqlState the SQL state, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public JobStoreException(String message, @Nullable String sqlState, @Nullable Throwable cause) {
    super(message, cause);
    this.sqlState = sqlState;
  }

  /** {@return the SQL state when the store is a SQL database, else {@code null}} */
  public @Nullable String sqlState() {
    return sqlState;
  }

  @Override
  public String code() {
    return "store_error";
  }
}
