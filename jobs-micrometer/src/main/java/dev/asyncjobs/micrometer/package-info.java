/**
 * Micrometer metrics for asyncjobs: {@link dev.asyncjobs.micrometer.JobMetrics}, one object that
 * counts creates (as a {@link dev.asyncjobs.CreateInterceptor}), counts and times attempts (as a
 * {@link dev.asyncjobs.WorkerListener}) and reads the queue for gauges, bound to a registry as a
 * Micrometer {@link io.micrometer.core.instrument.binder.MeterBinder}.
 */
@NullMarked
package dev.asyncjobs.micrometer;

import org.jspecify.annotations.NullMarked;
