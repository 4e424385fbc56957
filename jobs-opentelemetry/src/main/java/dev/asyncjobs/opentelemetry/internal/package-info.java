/** Implementation detail of the OpenTelemetry tracing: the metadata carrier and the open attempt spans. */
@NullMarked
package dev.asyncjobs.opentelemetry.internal;

import org.jspecify.annotations.NullMarked;
