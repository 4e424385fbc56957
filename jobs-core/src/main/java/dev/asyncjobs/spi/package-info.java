/**
 * The store SPI: what a {@link dev.asyncjobs.spi.JobStore} implements and the values it exchanges
 * with the runtime. Applications do not need this package; they use {@link dev.asyncjobs.JobManager}
 * and {@link dev.asyncjobs.JobWorker}, and open a store through {@link dev.asyncjobs.JobStores} or
 * the store's own builder.
 *
 * <p><b>Stability before 1.0.</b> This package may change in any 0.x minor release (0.1 → 0.2), never
 * in a patch release; every change is listed under "Store SPI" in {@code CHANGELOG.md} with what a
 * store must do about it. A store proves it keeps the contract by passing {@code jobs-store-tck} of
 * the same version.
 *
 * <p><b>Request objects.</b> A method that takes more than two values, or whose input is expected to
 * grow (an insert will carry budgets), takes one request record: {@link
 * dev.asyncjobs.spi.InsertRequest}, {@link dev.asyncjobs.spi.ClaimRequest}, {@link
 * dev.asyncjobs.spi.WorkerProgress}, {@link dev.asyncjobs.spi.OwnerProgress}, {@link
 * dev.asyncjobs.spi.Completion}, {@link dev.asyncjobs.spi.Failure}, {@link
 * dev.asyncjobs.spi.EventSubscription} and {@link dev.asyncjobs.spi.EventQuery}. The runtime builds
 * them and a store reads their accessors, so a field added to one changes no store's method
 * signature; the records check their own ranges, so a store does not repeat those checks.
 *
 * <p>From 1.0 on it follows semantic versioning like the application API: methods are
 * added with a default implementation, value types grow through their builders, and nothing is
 * removed or changed incompatibly before the next major version.
 */
@NullMarked
package dev.asyncjobs.spi;

import org.jspecify.annotations.NullMarked;
