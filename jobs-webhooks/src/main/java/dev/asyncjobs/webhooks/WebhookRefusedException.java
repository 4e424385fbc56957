package dev.asyncjobs.webhooks;

import dev.asyncjobs.PermanentGenerationException;

/**
 * A webhook was not delivered because of the delivery rules: its URL is not {@code https} (and
 * {@code http} is not allowed), its host is or resolves to a loopback, private, link-local,
 * metadata or other non-public address, the receiver answered with a redirect (never followed), or
 * the owner has no signing secret. Permanent: the delivery job fails at once, with this message as
 * its error. The message names the URL's host and the rule, never the address a name resolved to
 * (that goes to the log).
 */
public class WebhookRefusedException extends PermanentGenerationException {
  private static final long serialVersionUID = 1L;

  /**
   * A refusal; {@code message} says what was refused and why.
   *
   * @param message what was refused and why
   */
  public WebhookRefusedException(String message) {
    super(message, null);
  }

  @Override
  public String code() {
    return "webhook_refused";
  }
}
