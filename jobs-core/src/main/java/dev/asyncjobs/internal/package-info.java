/** Implementation detail of jobs-core; not part of the API, may change in any release. */
@NullMarked
package dev.asyncjobs.internal;

import org.jspecify.annotations.NullMarked;
