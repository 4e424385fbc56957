/** Main classes of the child JVMs the tests start: workers, quota racers. */
@NullMarked
package dev.asyncjobs.reliability.child;

import org.jspecify.annotations.NullMarked;
