/** Implementation detail of the Micrometer module: meters per job type, attempt timing, the cached queue gauges. */
@NullMarked
package dev.asyncjobs.micrometer.internal;

import org.jspecify.annotations.NullMarked;
