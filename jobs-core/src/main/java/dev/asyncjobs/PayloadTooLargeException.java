package dev.asyncjobs;

/** The payload is larger than the configured limit (HTTP 413). */
public class PayloadTooLargeException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;
  private final long sizeBytes;
  private final long limitBytes;

  /** A payload of {@code sizeBytes} UTF-8 bytes exceeded {@code limitBytes}. */
  public PayloadTooLargeException(long sizeBytes, long limitBytes) {
    super("payload", "payload is " + sizeBytes + " bytes; the limit is " + limitBytes + " bytes");
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  /** Size of the refused payload in UTF-8 bytes. */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** The limit in bytes. */
  public long limitBytes() {
    return limitBytes;
  }

  @Override
  public String code() {
    return "payload_too_large";
  }
}
