package dev.asyncjobs.spring.boot.internal;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spring.boot.AsyncJobsProperties;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * The in-memory store when no other store was configured: {@code asyncjobs.store=memory}, or
 * {@code auto} without jobs-store-postgres or without a DataSource. With {@code
 * asyncjobs.store=postgres} the start fails here instead, naming what is missing.
 */
@Configuration(proxyBeanMethods = false)
public class InMemoryStoreConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryStoreConfiguration.class);
  static final String POSTGRES_STORE = "dev.asyncjobs.store.postgres.PostgresJobStore";

  /**
   * The in-memory store.
   *
   * @param properties the starter's properties
   * @param dataSources the application's DataSources, to say why PostgreSQL was not chosen
   * @param resources the application's class loader, to say why PostgreSQL was not chosen
   * @return the store
   * @throws JobConfigurationException {@code asyncjobs.store=postgres} and PostgreSQL cannot be
   *     configured
   */
  @Bean
  @ConditionalOnMissingBean(JobStore.class)
  public InMemoryJobStore jobStore(AsyncJobsProperties properties, ObjectProvider<DataSource> dataSources,
      ResourceLoader resources) {
    String why = whyNotPostgres(properties, dataSources, resources.getClassLoader());
    if (properties.store() == AsyncJobsProperties.StoreType.POSTGRES) {
      throw new JobConfigurationException("asyncjobs.store=postgres, but " + why
          + ": add jobs-store-postgres and configure a DataSource (spring.datasource.url), or set asyncjobs.store=memory");
    }
    LOG.info("asyncjobs: in-memory job store ({}): jobs live only as long as this process", why);
    return new InMemoryJobStore();
  }

  private static String whyNotPostgres(AsyncJobsProperties properties, ObjectProvider<DataSource> dataSources,
      @Nullable ClassLoader classLoader) {
    if (properties.store() == AsyncJobsProperties.StoreType.MEMORY) {
      return "asyncjobs.store=memory";
    }
    if (!ClassUtils.isPresent(POSTGRES_STORE, classLoader)) {
      return "jobs-store-postgres is not on the class path";
    }
    long count = dataSources.stream().count();
    return count == 0 ? "no DataSource bean" : count + " DataSource beans and none of them primary";
  }
}
