package dev.asyncjobs;

/** The payload is not a JSON object, or does not match the generator's payload record (HTTP 400). */
public class InvalidPayloadException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  /**
   * An invalid payload; {@code field} is e.g. {@code payload.prompt}.
   *
   * @param field the field at fault, e.g. {@code payload.prompt}
   * @param message what is wrong with it
   */
  public InvalidPayloadException(String field, String message) {
    super(field, message);
  }

  @Override
  public String code() {
    return "invalid_payload";
  }
}
