package dev.asyncjobs;

/** A builder or provider was given a bad setting; the message names the setting and the value. */
public class JobConfigurationException extends JobException {
  private static final long serialVersionUID = 1L;

  /** A configuration error. */
  public JobConfigurationException(String message) {
    super(message);
  }

  /** A configuration error with a cause. */
  public JobConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String code() {
    return "configuration_error";
  }
}
