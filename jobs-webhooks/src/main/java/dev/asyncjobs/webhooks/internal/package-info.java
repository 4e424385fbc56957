/** Implementation detail of jobs-webhooks; not part of the API, may change in any release. */
@NullMarked
package dev.asyncjobs.webhooks.internal;

import org.jspecify.annotations.NullMarked;
