package dev.asyncjobs.tck;

import dev.asyncjobs.spi.StoreCapability;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a contract test (or a whole contract interface) that only applies to stores declaring
 * these {@link StoreCapability capabilities} in {@link dev.asyncjobs.spi.JobStore#capabilities()}.
 * For other stores the test is skipped, with a message naming the capability. A store's own extra
 * tests built on the contract interfaces may use it too.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresCapability {
  /** {@return the capabilities the test needs} */
  StoreCapability[] value();
}
