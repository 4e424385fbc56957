/** The in-memory {@link dev.asyncjobs.spi.JobStore}: the embedded default. */
@NullMarked
package dev.asyncjobs.store.memory;

import org.jspecify.annotations.NullMarked;
