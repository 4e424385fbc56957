package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.EnclosingTransaction;
import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spring.boot.AsyncJobsProperties;
import dev.asyncjobs.spring.boot.SpringEnclosingTransaction;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The PostgreSQL store on the application's DataSource, when jobs-store-postgres is on the class
 * path, there is one DataSource (or a primary one) and {@code asyncjobs.store} is not {@code
 * memory}; and, with it, creates that join Spring's transactions on that DataSource.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(PostgresJobStore.class)
@ConditionalOnSingleCandidate(DataSource.class)
@Conditional(StoreTypeCondition.NotMemory.class)
public class PostgresStoreConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresStoreConfiguration.class);

  /**
   * The store, migrated (or checked) at start.
   *
   * @param dataSource the application's DataSource
   * @param properties the starter's properties
   * @return the store; closing it stops its listener and leaves the DataSource open
   */
  @Bean
  @ConditionalOnMissingBean(JobStore.class)
  public PostgresJobStore jobStore(DataSource dataSource, AsyncJobsProperties properties) {
    AsyncJobsProperties.Postgres pg = properties.postgres();
    // A worker that claims fairly wants the index its claims read; one that does not, and a node
    // without a worker, are better off without it (and leave an existing one be: other processes
    // may still claim fairly).
    AsyncJobsProperties.Worker worker = properties.worker();
    PostgresJobStore.Builder builder = PostgresJobStore.builder().dataSource(dataSource).autoMigrate(pg.autoMigrate())
        .fairClaimIndex(worker.enabled() && worker.fairBetweenOwners());
    named("schema", () -> builder.schema(pg.schema()));
    named("table-prefix", () -> builder.tablePrefix(pg.tablePrefix()));
    PostgresJobStore store = builder.build();
    LOG.info("asyncjobs: PostgreSQL job store on the application's DataSource, tables {} ({})", store,
        pg.autoMigrate() ? "migrated at start" : "schema checked, asyncjobs.postgres.auto-migrate=false");
    return store;
  }

  /** Runs a setter of the store's builder, naming the property in what it refuses. */
  private static void named(String property, Runnable set) {
    try {
      set.run();
    } catch (JobConfigurationException e) {
      throw new JobConfigurationException(AsyncJobsProperties.PREFIX + ".postgres." + property + ": " + e.getMessage());
    }
  }

  /**
   * Creates join the calling thread's Spring transaction on the application's DataSource, when the
   * store is a PostgreSQL one (auto-configured here, or the application's own).
   *
   * @param dataSource the application's DataSource
   * @return the enclosing transaction of the manager
   */
  @Bean
  @ConditionalOnMissingBean(EnclosingTransaction.class)
  @ConditionalOnBean(PostgresJobStore.class)
  @ConditionalOnClass(name = "org.springframework.jdbc.datasource.DataSourceUtils")
  public SpringEnclosingTransaction enclosingTransaction(DataSource dataSource) {
    return new SpringEnclosingTransaction(dataSource);
  }
}
