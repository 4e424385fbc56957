/** The in-memory {@link dev.asyncjobs.JobStore}: the embedded default. */
@NullMarked
package dev.asyncjobs.store.memory;

import org.jspecify.annotations.NullMarked;
