package dev.asyncjobs.spring.boot;

import dev.asyncjobs.BudgetPolicy;
import dev.asyncjobs.ContentModerator;
import dev.asyncjobs.CreateInterceptor;
import dev.asyncjobs.EnclosingTransaction;
import dev.asyncjobs.Generator;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.PriceTable;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.StoreCapability;
import dev.asyncjobs.spring.boot.internal.GeneratorSet;
import dev.asyncjobs.spring.boot.internal.InMemoryStoreConfiguration;
import dev.asyncjobs.spring.boot.internal.LimitSettings;
import dev.asyncjobs.spring.boot.internal.PostgresStoreConfiguration;
import dev.asyncjobs.spring.boot.internal.QuotaSettings;
import dev.asyncjobs.spring.boot.internal.UsageSettings;
import dev.asyncjobs.spring.boot.internal.WorkerConfiguration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The auto-configuration of asyncjobs: the {@link JobStore} (PostgreSQL on the application's
 * DataSource, else in memory; see {@link AsyncJobsProperties#store()}), the {@link JobManager},
 * and the worker ({@link JobWorkerLifecycle}) unless {@code asyncjobs.worker.enabled=false}.
 * Every bean backs off when the application defines one of its type.
 *
 * <p>The manager gets every {@link Generator} bean and, with {@code
 * asyncjobs.discover-generators} (on by default), the generators of the {@code GeneratorProvider}s
 * on the class path, built with the {@code asyncjobs.generators.*} settings; the {@link
 * ContentModerator} bean, if there is one; the {@link QuotaPolicy} bean, else the limits of {@code
 * asyncjobs.quota.*} (none by default); the limits of {@code asyncjobs.limits[...]}, defined in
 * the store at start; every {@link CreateInterceptor} bean; the {@link
 * EnclosingTransaction} bean when the store can join transactions; and the {@link
 * JobManagerCustomizer} beans last.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
    "org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration",
    // Spring Boot 4's names of the same (spring-boot-jdbc), so that the order holds there too
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration"})
@EnableConfigurationProperties(AsyncJobsProperties.class)
@Import({PostgresStoreConfiguration.class, InMemoryStoreConfiguration.class, WorkerConfiguration.class})
public class AsyncJobsAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncJobsAutoConfiguration.class);

  /** For Spring. */
  public AsyncJobsAutoConfiguration() {}

  /**
   * The manager the application creates, reads and cancels jobs with.
   *
   * @param store the store
   * @param properties the starter's properties
   * @param generators the Generator beans
   * @param moderator the ContentModerator bean, if any
   * @param quotaPolicy the QuotaPolicy bean, if any
   * @param priceTable the PriceTable bean, if any (else asyncjobs.prices.*)
   * @param budgetPolicy the BudgetPolicy bean, if any (else asyncjobs.budget.*)
   * @param interceptors the CreateInterceptor beans
   * @param transaction the EnclosingTransaction bean, if any
   * @param customizers the JobManagerCustomizer beans
   * @return the manager; closing it stops event delivery and leaves the store open
   */
  @Bean
  @ConditionalOnMissingBean
  public JobManager jobManager(JobStore store, AsyncJobsProperties properties, ObjectProvider<Generator<?>> generators,
      ObjectProvider<ContentModerator> moderator, ObjectProvider<QuotaPolicy> quotaPolicy,
      ObjectProvider<PriceTable> priceTable, ObjectProvider<BudgetPolicy> budgetPolicy,
      ObjectProvider<CreateInterceptor> interceptors, ObjectProvider<EnclosingTransaction> transaction,
      ObjectProvider<JobManagerCustomizer> customizers) {
    JobManager.Builder builder = JobManager.builder()
        .store(store)
        .generators(GeneratorSet.of(generators.orderedStream().toList(), properties.discoverGenerators(),
            properties.generators()))
        .maxPayloadBytes(properties.maxPayloadBytes())
        .eventRetention(properties.retention().events());
    moderator.ifAvailable(builder::moderator);
    QuotaPolicy policy = quotaPolicy.getIfAvailable(() -> QuotaSettings.policy(properties.quota()));
    builder.quotaPolicy(policy);
    PriceTable prices = priceTable.getIfAvailable(() -> UsageSettings.prices(properties.prices()));
    builder.prices(prices);
    builder.budgetPolicy(budgetPolicy.getIfAvailable(() -> UsageSettings.budget(properties.budget(), prices.currency())));
    interceptors.orderedStream().forEach(builder::interceptor);
    EnclosingTransaction tx = transaction.getIfAvailable();
    if (tx != null) {
      builder.enclosingTransaction(tx);
      LOG.info("asyncjobs: creates join the caller's transaction ({})", tx);
    } else if (store.capabilities().contains(StoreCapability.TRANSACTIONS)) {
      LOG.info("asyncjobs: no EnclosingTransaction bean: creates commit on their own even inside @Transactional"
          + " (jobs.create(request, connection) joins a transaction explicitly)");
    }
    customizers.orderedStream().forEach(c -> c.customize(builder));
    JobManager jobs = builder.build();
    try {
      LimitSettings.define(jobs, store, properties.limits());
    } catch (RuntimeException e) {
      jobs.close();
      throw e;
    }
    List<String> types = jobs.types().stream().sorted().toList();
    LOG.info("asyncjobs: job manager with {} job type(s) {}", types.size(), types);
    return jobs;
  }
}
