/** Implementation of the test support; not API, may change in any release. */
@NullMarked
package dev.asyncjobs.testing.internal;

import org.jspecify.annotations.NullMarked;
