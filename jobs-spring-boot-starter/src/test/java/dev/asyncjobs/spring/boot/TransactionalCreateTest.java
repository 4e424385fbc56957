package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * jobs.create(...) in a {@code @Transactional} method joins the method's transaction on the
 * application's DataSource: committed, the order row and the job appear together and the worker
 * runs the job; rolled back, neither exists. The sample of docs/spring-boot.md, run.
 */
class TransactionalCreateTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema();

  @BeforeAll
  static void ordersTable() {
    schema.execute("CREATE TABLE " + schema.table("orders") + " (id bigserial PRIMARY KEY, customer text NOT NULL, item text NOT NULL)");
  }

  private static ApplicationContextRunner app() {
    return Apps.withDatabase(schema)
        .withConfiguration(AutoConfigurations.of(JdbcTemplateAutoConfiguration.class))
        .withPropertyValues("spring.datasource.hikari.schema=" + schema.name())
        .withUserConfiguration(DocsExamples.OrdersApp.class);
  }

  private static long orders(String customer) {
    return schema.number("SELECT count(*) FROM " + schema.table("orders") + " WHERE customer = '" + customer + "'");
  }

  @Test
  void committedTheOrderAndItsJobAppearTogetherAndTheJobRuns() {
    app().run(context -> {
      assertThat(context).hasNotFailed();
      Job job = context.getBean(DocsExamples.Orders.class).place("carol", "lamp");
      assertThat(orders("carol")).isOne();
      JobManager jobs = context.getBean(JobManager.class);
      Job done = Waits.untilValue("the invoice job to complete", WAIT, () -> jobs.get("carol", job.id()),
          j -> j.status() == JobStatus.COMPLETED);
      assertThat(done.result()).contains("invoice for lamp");
    });
  }

  @Test
  void rolledBackNeitherTheOrderNorTheJobExistsAndNoWorkerRunsIt() {
    app().run(context -> {
      DocsExamples.Orders orders = context.getBean(DocsExamples.Orders.class);
      assertThatThrownBy(() -> orders.placeThenFail("dave", "chair")).isInstanceOf(IllegalStateException.class)
          .hasMessage("payment declined");
      assertThat(orders("dave")).isZero();
      JobManager jobs = context.getBean(JobManager.class);
      assertThat(jobs.list(dev.asyncjobs.JobQuery.forOwner("dave").build()).items()).isEmpty();
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE owner_id = 'dave'")).isZero();
      // a later job of the same owner runs, so the worker was running all along and saw nothing of the first
      Job later = orders.place("dave", "table");
      Waits.untilValue("the later job to complete", WAIT, () -> jobs.get("dave", later.id()), j -> j.status() == JobStatus.COMPLETED);
      assertThat(jobs.list(dev.asyncjobs.JobQuery.forOwner("dave").build()).items()).extracting(Job::id).containsExactly(later.id());
    });
  }

  @Test
  void aSuspendedTransactionIsNotJoinedAndAReadOnlyOneRefusesTheCreate() {
    app().run(context -> {
      JobManager jobs = context.getBean(JobManager.class);
      org.springframework.transaction.PlatformTransactionManager tm =
          context.getBean(org.springframework.transaction.PlatformTransactionManager.class);
      TransactionTemplate outer = new TransactionTemplate(tm);
      TransactionTemplate suspended = new TransactionTemplate(tm);
      suspended.setPropagationBehavior(TransactionDefinition.PROPAGATION_NOT_SUPPORTED);
      Job[] inside = new Job[1];
      assertThatThrownBy(() -> outer.executeWithoutResult(status -> {
        inside[0] = suspended.execute(s -> jobs.create(JobRequest.of("finn", DocsExamples.INVOICE, new DocsExamples.Invoice("own"))));
        throw new IllegalStateException("the outer transaction rolls back");
      })).hasMessage("the outer transaction rolls back");
      assertThat(jobs.find("finn", inside[0].id())).as("committed on its own, not with the outer transaction").isPresent();

      TransactionTemplate readOnly = new TransactionTemplate(tm);
      readOnly.setReadOnly(true);
      assertThatThrownBy(() -> readOnly.executeWithoutResult(status ->
          jobs.create(JobRequest.of("gus", DocsExamples.INVOICE, new DocsExamples.Invoice("nope")))))
          .isInstanceOf(dev.asyncjobs.JobStoreException.class).hasMessageContaining("read-only");
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE owner_id = 'gus'")).isZero();
    });
  }

  @Test
  void outsideATransactionTheCreateCommitsOnItsOwn() {
    app().run(context -> {
      JobManager jobs = context.getBean(JobManager.class);
      Job job = jobs.create(JobRequest.of("erin", DocsExamples.INVOICE, new DocsExamples.Invoice("pen")));
      assertThat(schema.number("SELECT count(*) FROM " + schema.table("jobs") + " WHERE id = '" + job.id() + "'")).isOne();
    });
  }
}
