package dev.asyncjobs;

/** The caller sent something invalid (HTTP 400); {@link #field()} names what. Nothing was changed. */
public class InvalidRequestException extends JobException {
  private static final long serialVersionUID = 1L;
  /** The field at fault. */
  private final String field;

  /**
   * An invalid value in {@code field}.
   *
   * @param field the field at fault, e.g. {@code priority}
   * @param message what is wrong with it
   */
  public InvalidRequestException(String field, String message) {
    super(message);
    this.field = field;
  }

  /**
   * {@return the field at fault, as a JSON path-like name: {@code priority}, {@code
   * payload.prompt}}
   */
  public String field() {
    return field;
  }

  @Override
  public String code() {
    return "invalid_request";
  }
}
