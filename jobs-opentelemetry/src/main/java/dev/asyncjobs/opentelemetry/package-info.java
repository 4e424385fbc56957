/**
 * OpenTelemetry tracing of jobs: {@link dev.asyncjobs.opentelemetry.JobTracing}, registered on the
 * {@link dev.asyncjobs.JobManager} (creates) and on each {@link dev.asyncjobs.JobWorker} (attempts).
 */
@NullMarked
package dev.asyncjobs.opentelemetry;

import org.jspecify.annotations.NullMarked;
