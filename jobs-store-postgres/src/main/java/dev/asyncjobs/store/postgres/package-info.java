/** The PostgreSQL JobStore: SKIP LOCKED claiming, LISTEN/NOTIFY, atomic quotas, migrations, row-level security. */
@NullMarked
package dev.asyncjobs.store.postgres;

import org.jspecify.annotations.NullMarked;
