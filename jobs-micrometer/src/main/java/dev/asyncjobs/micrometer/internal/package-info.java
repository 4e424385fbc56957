/** Implementation detail of the Micrometer module: meters per job type, attempt timing, the cached queue and limit gauges. */
@NullMarked
package dev.asyncjobs.micrometer.internal;

import org.jspecify.annotations.NullMarked;
