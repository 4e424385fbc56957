/**
 * A webhook receiver for tests ({@link dev.asyncjobs.testing.webhooks.WebhookReceiver}): a real
 * HTTP server on the loopback address that keeps every request with its Standard Webhooks headers
 * and answers with scripted statuses.
 */
@NullMarked
package dev.asyncjobs.testing.webhooks;

import org.jspecify.annotations.NullMarked;
