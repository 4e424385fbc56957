package dev.asyncjobs.spring.boot;

import dev.asyncjobs.AbstractGenerator;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobType;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The Java samples of docs/spring-boot.md, compiled here and run by the tests that name them
 * (TransactionalCreateTest, DocsExamplesTest): each is quoted on the page between its markers.
 */
final class DocsExamples {
  private DocsExamples() {}

  /** The payload of the invoice job. */
  record Invoice(String item) {}

  static final JobType<Invoice> INVOICE = JobType.of("invoice", Invoice.class);

  // EXAMPLE-BEGIN spring-generator-bean
  @Configuration(proxyBeanMethods = false)
  static class InvoiceGenerators {
    @Bean
    InvoiceGenerator invoiceGenerator() { // every Generator bean is registered with the JobManager
      return new InvoiceGenerator();
    }
  }

  static class InvoiceGenerator extends AbstractGenerator<Invoice> {
    InvoiceGenerator() {
      super(INVOICE);
    }

    @Override
    public Object generate(Invoice invoice, JobContext context) {
      context.progress(50, "rendering");
      return Map.of("pdf", "invoice for " + invoice.item());
    }
  }
  // EXAMPLE-END spring-generator-bean

  // EXAMPLE-BEGIN spring-transactional
  @Service
  static class Orders {
    private final JdbcTemplate db;
    private final JobManager jobs;

    Orders(JdbcTemplate db, JobManager jobs) {
      this.db = db;
      this.jobs = jobs;
    }

    @Transactional
    public Job place(String customer, String item) {
      db.update("INSERT INTO orders (customer, item) VALUES (?, ?)", customer, item);
      // joins this method's transaction: the job exists, and a worker runs it, only if the order commits
      return jobs.create(JobRequest.of(customer, INVOICE, new Invoice(item)));
    }

    @Transactional
    public Job placeThenFail(String customer, String item) {
      place(customer, item);
      throw new IllegalStateException("payment declined"); // rolls back the order and the job
    }
  }
  // EXAMPLE-END spring-transactional

  // EXAMPLE-BEGIN spring-customizers
  @Configuration(proxyBeanMethods = false)
  static class JobTuning {
    @Bean
    JobManagerCustomizer jobDefaults() { // what asyncjobs.* does not cover, on the manager's builder
      return jobs -> jobs.defaultPriority(7).defaultMaxAttempts(5);
    }

    @Bean
    JobWorkerCustomizer invoicePacing() { // and on the worker's
      return worker -> worker.pacing(INVOICE.name(), Duration.ofMillis(200));
    }
  }
  // EXAMPLE-END spring-customizers

  // EXAMPLE-BEGIN spring-own-store
  @Configuration(proxyBeanMethods = false)
  static class OwnStore {
    @Bean
    PostgresJobStore jobStore(DataSource dataSource, @Value("${app.jobs.schema}") String schema) {
      return PostgresJobStore.builder() // the starter's store backs off
          .dataSource(dataSource).schema(schema).tablePrefix("app_").autoMigrate(true).build();
    }

    @Bean
    SpringEnclosingTransaction enclosingTransaction(DataSource dataSource) { // the store's DataSource
      return new SpringEnclosingTransaction(dataSource);
    }
  }
  // EXAMPLE-END spring-own-store

  /** The application of TransactionalCreateTest: the generator and the service. */
  @Configuration(proxyBeanMethods = false)
  @org.springframework.context.annotation.Import({InvoiceGenerators.class, Orders.class})
  static class OrdersApp {}
}
