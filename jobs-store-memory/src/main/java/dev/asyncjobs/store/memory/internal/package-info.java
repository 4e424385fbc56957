/** Implementation detail of the in-memory store. */
@NullMarked
package dev.asyncjobs.store.memory.internal;

import org.jspecify.annotations.NullMarked;
