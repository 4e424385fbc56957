/** Throughput and latency benchmarks with baselines measured in the same run. */
@NullMarked
package dev.asyncjobs.bench;

import org.jspecify.annotations.NullMarked;
