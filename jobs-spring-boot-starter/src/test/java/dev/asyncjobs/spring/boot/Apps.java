package dev.asyncjobs.spring.boot;

import dev.asyncjobs.testing.postgres.PostgresSchema;
import dev.asyncjobs.testing.postgres.TestPostgres;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Application contexts as a Boot application gets them: the starter's auto-configuration (and, with
 * a database, Boot's own DataSource and transaction auto-configuration on the test server, with the
 * store's tables in the test class's schema).
 */
final class Apps {
  private Apps() {}

  /** The starter alone: no DataSource. */
  static ApplicationContextRunner starter() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AsyncJobsAutoConfiguration.class, AsyncJobsHealthAutoConfiguration.class));
  }

  /** The starter with Boot's DataSource (a Hikari pool from spring.datasource.*) on the test server. */
  static ApplicationContextRunner withDatabase(PostgresSchema schema) {
    TestPostgres.Server server = schema.server();
    return starter()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class))
        .withPropertyValues(
            "spring.datasource.url=" + server.url(),
            "spring.datasource.username=" + server.user(),
            "spring.datasource.password=" + server.password(),
            "spring.datasource.hikari.maximum-pool-size=4",
            "asyncjobs.postgres.schema=" + schema.name());
  }
}
