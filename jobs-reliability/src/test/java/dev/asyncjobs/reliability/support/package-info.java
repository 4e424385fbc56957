/** Test plumbing of this suite on top of jobs-test-support: its schemas, child JVMs, the HTTP API, slow SSE sockets. */
@NullMarked
package dev.asyncjobs.reliability.support;

import org.jspecify.annotations.NullMarked;
