/**
 * asyncjobs: durable asynchronous jobs for Java.
 *
 * <p>Applications talk to {@link dev.asyncjobs.JobManager}; hosts run {@link dev.asyncjobs.JobWorker};
 * plugin authors implement {@link dev.asyncjobs.Generator}, {@link dev.asyncjobs.JobStore} or
 * {@link dev.asyncjobs.ContentModerator}.
 */
@NullMarked
package dev.asyncjobs;

import org.jspecify.annotations.NullMarked;
