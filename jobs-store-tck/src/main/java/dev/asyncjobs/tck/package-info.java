/** The contract suite every {@link dev.asyncjobs.spi.JobStore} must pass. */
@NullMarked
package dev.asyncjobs.tck;

import org.jspecify.annotations.NullMarked;
