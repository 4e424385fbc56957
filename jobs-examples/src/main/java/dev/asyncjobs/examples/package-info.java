/** Runnable examples: the HTTP API with the JobTracker page, and plain embedding. */
@NullMarked
package dev.asyncjobs.examples;

import org.jspecify.annotations.NullMarked;
