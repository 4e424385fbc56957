/**
 * The store SPI: what a {@link dev.asyncjobs.spi.JobStore} implements and the values it exchanges
 * with the runtime. Applications do not need this package; they use {@link dev.asyncjobs.JobManager}
 * and {@link dev.asyncjobs.JobWorker}, and open a store through {@link dev.asyncjobs.JobStores} or
 * the store's own builder.
 *
 * <p><b>Stability before 1.0.</b> This package may change in any 0.x minor release (0.1 → 0.2), never
 * in a patch release; every change is listed under "Store SPI" in {@code CHANGELOG.md} with what a
 * store must do about it. A store proves it keeps the contract by passing {@code jobs-store-tck} of
 * the same version. From 1.0 on it follows semantic versioning like the application API: methods are
 * added with a default implementation, value types grow through their builders, and nothing is
 * removed or changed incompatibly before the next major version.
 */
@NullMarked
package dev.asyncjobs.spi;

import org.jspecify.annotations.NullMarked;
