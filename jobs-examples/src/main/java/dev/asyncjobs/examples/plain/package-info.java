/** The smallest embedding of asyncjobs: a manager, a worker, one job, no HTTP. */
@NullMarked
package dev.asyncjobs.examples.plain;

import org.jspecify.annotations.NullMarked;
