package dev.asyncjobs;

/** A builder or provider was given a bad setting; the message names the setting and the value. */
public class JobConfigurationException extends JobException {
  private static final long serialVersionUID = 1L;

  /**
   * A configuration error.
   *
   * @param message what is wrong
   */
  public JobConfigurationException(String message) {
    super(message);
  }

  /**
   * A configuration error with a cause.
   *
   * @param message what is wrong
   * @param cause the underlying failure
   */
  public JobConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String code() {
    return "configuration_error";
  }
}
