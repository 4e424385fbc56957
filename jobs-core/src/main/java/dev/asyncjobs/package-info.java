/**
 * asyncjobs: durable asynchronous jobs for Java. This package is what an application uses.
 *
 * <p>Applications talk to {@link dev.asyncjobs.JobManager} (create, read, list, cancel, subscribe);
 * hosts run {@link dev.asyncjobs.JobWorker}; generator authors implement {@link
 * dev.asyncjobs.Generator} (and optionally {@link dev.asyncjobs.GeneratorProvider}); moderation plugs
 * in as a {@link dev.asyncjobs.ContentModerator}. Store authors implement the SPI in {@link
 * dev.asyncjobs.spi}, which has its own stability rule.
 */
@NullMarked
package dev.asyncjobs;

import org.jspecify.annotations.NullMarked;
