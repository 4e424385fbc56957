/**
 * Signed webhooks when a job finishes: {@link dev.asyncjobs.webhooks.Webhooks} (the setup), {@link
 * dev.asyncjobs.webhooks.WebhookSecrets} (each owner's signing secrets) and {@link
 * dev.asyncjobs.webhooks.WebhookSignature} (signing and checking, for receivers too). See
 * docs/webhooks.md.
 */
@NullMarked
package dev.asyncjobs.webhooks;

import org.jspecify.annotations.NullMarked;
