/** The benchmark harness, its scenarios and their baselines: not an API. */
@NullMarked
package dev.asyncjobs.bench.internal;

import org.jspecify.annotations.NullMarked;
