package dev.asyncjobs.reliability;

import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.TestServer;
import dev.asyncjobs.spi.JobStore;

/** The bad-input catalogue on PostgreSQL. */
class PostgresBadInputTest extends BadInputCatalogue {
  private Schema schema;

  @Override
  protected JobStore openStore() {
    schema = Schema.create(TestServer.get(), "badinput");
    return schema.storeBuilder().build();
  }

  @Override
  protected void afterStoreClosed() {
    schema.close();
  }
}
