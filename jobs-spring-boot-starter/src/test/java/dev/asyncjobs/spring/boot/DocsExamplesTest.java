package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.EnclosingTransaction;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The samples of docs/spring-boot.md that TransactionalCreateTest does not run: the generator bean,
 * the customizers and the application's own store, each doing what the page says.
 */
class DocsExamplesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema();

  @Test
  void aGeneratorBeanIsRegisteredAndItsJobsRun() {
    Apps.starter().withUserConfiguration(DocsExamples.InvoiceGenerators.class).run(context -> {
      JobManager jobs = context.getBean(JobManager.class);
      assertThat(jobs.types()).contains("invoice");
      Job job = jobs.create(JobRequest.of("ann", DocsExamples.INVOICE, new DocsExamples.Invoice("lamp")));
      Job done = Waits.untilValue("the invoice", WAIT, () -> jobs.get("ann", job.id()), j -> j.status() == JobStatus.COMPLETED);
      assertThat(done.result()).contains("invoice for lamp");
    });
  }

  @Test
  void theCustomizersChangeTheManagerAndTheWorker() {
    Apps.starter().withUserConfiguration(DocsExamples.InvoiceGenerators.class, DocsExamples.JobTuning.class).run(context -> {
      JobManager jobs = context.getBean(JobManager.class);
      Job first = jobs.create(JobRequest.of("ann", DocsExamples.INVOICE, new DocsExamples.Invoice("a")));
      assertThat(first.priority()).isEqualTo(7);
      assertThat(first.maxAttempts()).isEqualTo(5);
      Job second = jobs.create(JobRequest.of("ann", DocsExamples.INVOICE, new DocsExamples.Invoice("b")));
      Job a = Waits.untilValue("the first", WAIT, () -> jobs.get("ann", first.id()), j -> j.status() == JobStatus.COMPLETED);
      Job b = Waits.untilValue("the second", WAIT, () -> jobs.get("ann", second.id()), j -> j.status() == JobStatus.COMPLETED);
      // pacing: the second claim came at least 200 ms after the first (less a millisecond tick of
      // the store's wall clock, since the worker paces on the monotonic one)
      Job earlier = a.startedAt().isBefore(b.startedAt()) ? a : b;
      Job later = earlier == a ? b : a;
      assertThat(Duration.between(earlier.startedAt(), later.startedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(199));
    });
  }

  @Test
  void theApplicationsOwnStoreIsUsedAndItsCreatesJoinTransactions() {
    Apps.withDatabase(schema).withPropertyValues("app.jobs.schema=" + schema.name())
        .withUserConfiguration(DocsExamples.InvoiceGenerators.class, DocsExamples.OwnStore.class).run(context -> {
          PostgresJobStore store = (PostgresJobStore) context.getBean(JobStore.class);
          assertThat(store.tablePrefix()).isEqualTo("app_");
          assertThat(context.getBean(EnclosingTransaction.class)).isSameAs(context.getBean(SpringEnclosingTransaction.class));
          JobManager jobs = context.getBean(JobManager.class);
          TransactionTemplate tx = new TransactionTemplate(context.getBean(
              org.springframework.transaction.PlatformTransactionManager.class));
          assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
            jobs.create(JobRequest.of("bea", DocsExamples.INVOICE, new DocsExamples.Invoice("gone")));
            throw new IllegalStateException("roll back");
          })).hasMessage("roll back");
          assertThat(schema.number("SELECT count(*) FROM " + schema.table("app_jobs") + " WHERE owner_id = 'bea'")).isZero();
          Job kept = tx.execute(status -> jobs.create(JobRequest.of("bea", DocsExamples.INVOICE, new DocsExamples.Invoice("kept"))));
          Waits.untilValue("the kept job", WAIT, () -> jobs.get("bea", kept.id()), j -> j.status() == JobStatus.COMPLETED);
        });
  }
}
