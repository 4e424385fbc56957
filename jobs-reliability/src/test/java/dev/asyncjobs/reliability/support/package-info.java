/** Test plumbing: the PostgreSQL server and schemas, child JVMs, waiting with deadlines. */
@NullMarked
package dev.asyncjobs.reliability.support;

import org.jspecify.annotations.NullMarked;
