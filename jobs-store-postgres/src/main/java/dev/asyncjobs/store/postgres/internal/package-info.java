/** Implementation of the PostgreSQL store; not API: do not import from application code. */
@NullMarked
package dev.asyncjobs.store.postgres.internal;

import org.jspecify.annotations.NullMarked;
