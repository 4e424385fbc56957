package dev.asyncjobs.reliability;

import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.testing.postgres.TestPostgres;

/** The bad-input catalogue on PostgreSQL. */
class PostgresBadInputTest extends BadInputCatalogue {
  private Schema schema;

  @Override
  protected JobStore openStore() {
    schema = Schema.create(TestPostgres.server(), "badinput");
    return schema.storeBuilder().build();
  }

  @Override
  protected void afterStoreClosed() {
    schema.close();
  }
}
