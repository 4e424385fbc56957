/**
 * The PostgreSQL server of the tests, chosen once per JVM ({@link
 * dev.asyncjobs.testing.postgres.TestPostgres}: {@code JOBS_TEST_JDBC_URL}, else an embedded
 * server), and a fresh schema with its own pool per test class or per test ({@link
 * dev.asyncjobs.testing.postgres.PostgresSchema}, a JUnit 5 extension), and a TCP proxy a test
 * can cut between one client and the server ({@link dev.asyncjobs.testing.postgres.TcpProxy}).
 */
@NullMarked
package dev.asyncjobs.testing.postgres;

import org.jspecify.annotations.NullMarked;
