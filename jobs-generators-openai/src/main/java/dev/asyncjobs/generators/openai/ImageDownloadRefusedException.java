package dev.asyncjobs.generators.openai;

import dev.asyncjobs.PermanentGenerationException;
import java.util.Objects;

/**
 * An image URL from the provider's reply was not downloaded, or its bytes were not kept, because
 * it broke the download rules ({@code openai.imageAllowHttp}, {@code
 * openai.imageAllowPrivateAddresses}, {@code openai.imageTrustedHosts}, {@code
 * openai.imageMaxBytes}). Permanent: another attempt would be refused again, and a reply that
 * points at a private address is not something to keep retrying. The message names the host of
 * the URL and the rule, never the address it resolved to (that is logged for the operator).
 */
public class ImageDownloadRefusedException extends PermanentGenerationException {
  private static final long serialVersionUID = 1L;

  /** Which rule refused the download. */
  public enum Reason {
    /** Not {@code https} (and {@code http} is not allowed), or not a URL at all. */
    SCHEME,
    /** The host is, or resolves to, a loopback, private, link-local, metadata or other non-public address. */
    ADDRESS,
    /** Too many redirects, or a redirect to a location that is not a URL. */
    REDIRECT,
    /** The body is larger than {@code openai.imageMaxBytes}. */
    TOO_LARGE,
    /** The bytes are not a PNG, JPEG, WebP or GIF image, whatever the Content-Type said. */
    NOT_AN_IMAGE
  }

  /** Which rule refused the download. */
  private final Reason reason;

  /**
   * A refusal for {@code reason}; {@code message} says what was refused and why.
   *
   * @param reason which rule refused the download
   * @param message what was refused and why
   */
  public ImageDownloadRefusedException(Reason reason, String message) {
    super(message, null);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** {@return which rule refused the download} */
  public Reason reason() {
    return reason;
  }

  @Override
  public String code() {
    return "image_download_refused";
  }
}
