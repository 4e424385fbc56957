package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.EnclosingTransaction;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.FilteredClassLoader;

/**
 * Which store the starter configures: PostgreSQL on the application's DataSource when it can,
 * memory otherwise or when told, the application's own store when it has one; and that it says
 * which at INFO.
 */
class StoreSelectionTest {
  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema();

  @Test
  void withoutADataSourceTheStoreIsInMemory() {
    try (LogCapture log = new LogCapture()) {
      Apps.starter().withBean(EchoGenerator.class).run(context -> {
        assertThat(context).hasNotFailed();
        assertThat(context).getBean(JobStore.class).isInstanceOf(InMemoryJobStore.class);
        assertThat(context).hasSingleBean(JobManager.class).doesNotHaveBean(EnclosingTransaction.class);
      });
      assertThat(log.infos()).anyMatch(m -> m.startsWith("asyncjobs: in-memory job store (no DataSource bean)"));
    }
  }

  @Test
  void withADataSourceTheStoreIsPostgresInTheConfiguredSchemaAndCreatesJoinSpringTransactions() {
    try (LogCapture log = new LogCapture()) {
      Apps.withDatabase(schema).withBean(EchoGenerator.class).run(context -> {
        assertThat(context).hasNotFailed();
        PostgresJobStore store = context.getBean(PostgresJobStore.class);
        assertThat(store.schema()).isEqualTo(schema.name());
        assertThat(context.getBean(EnclosingTransaction.class)).isInstanceOf(SpringEnclosingTransaction.class);
        // the tables exist: the store migrated at start
        assertThat(schema.value("SELECT to_regclass('" + schema.name() + ".jobs') IS NOT NULL")).isEqualTo("t");
      });
      assertThat(log.infos()).anyMatch(m -> m.startsWith("asyncjobs: PostgreSQL job store on the application's DataSource"));
    }
  }

  @Test
  void aWorkerThatClaimsFairlyGetsTheIndexItsClaimsRead() {
    String index = "SELECT to_regclass('" + schema.name() + ".jobs_pending_owner_idx') IS NOT NULL";
    Apps.withDatabase(schema).withBean(EchoGenerator.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(schema.value(index)).as("plain claims: no index").isEqualTo("f");
    });
    Apps.withDatabase(schema).withBean(EchoGenerator.class).withPropertyValues("asyncjobs.worker.fair-between-owners=true")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(schema.value(index)).isEqualTo("t");
        });
  }

  @Test
  void storeMemoryWinsOverADataSource() {
    try (LogCapture log = new LogCapture()) {
      Apps.withDatabase(schema).withBean(EchoGenerator.class).withPropertyValues("asyncjobs.store=memory").run(context -> {
        assertThat(context).hasNotFailed();
        assertThat(context).getBean(JobStore.class).isInstanceOf(InMemoryJobStore.class);
        assertThat(context).doesNotHaveBean(EnclosingTransaction.class);
      });
      assertThat(log.infos()).anyMatch(m -> m.startsWith("asyncjobs: in-memory job store (asyncjobs.store=memory)"));
    }
  }

  @Test
  void withoutJobsStorePostgresOnTheClassPathADataSourceDoesNotMatter() {
    try (LogCapture log = new LogCapture()) {
      Apps.withDatabase(schema).withBean(EchoGenerator.class)
          .withClassLoader(new FilteredClassLoader(PostgresJobStore.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).getBean(JobStore.class).isInstanceOf(InMemoryJobStore.class);
          });
      assertThat(log.infos()).anyMatch(m -> m.startsWith("asyncjobs: in-memory job store (jobs-store-postgres is not on the class path)"));
    }
  }

  @Test
  void withoutSpringJdbcThereIsAPostgresStoreButNoEnclosingTransaction() {
    org.postgresql.ds.PGSimpleDataSource plain = new org.postgresql.ds.PGSimpleDataSource();
    plain.setURL(schema.server().url());
    plain.setUser(schema.server().user());
    plain.setPassword(schema.server().password());
    Apps.starter().withBean(EchoGenerator.class).withBean(javax.sql.DataSource.class, () -> plain)
        .withPropertyValues("asyncjobs.postgres.schema=" + schema.name())
        .withClassLoader(new FilteredClassLoader("org.springframework.jdbc", "org.springframework.transaction")).run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).getBean(JobStore.class).isInstanceOf(PostgresJobStore.class);
          assertThat(context).doesNotHaveBean(EnclosingTransaction.class);
        });
  }

  @Test
  void storePostgresWithoutADataSourceFailsTheStartSayingWhatIsMissing() {
    Apps.starter().withBean(EchoGenerator.class).withPropertyValues("asyncjobs.store=postgres").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause()
          .hasMessageContaining("asyncjobs.store=postgres, but no DataSource bean")
          .hasMessageContaining("spring.datasource.url");
    });
  }

  @Test
  void storePostgresWithADataSourceIsPostgres() {
    Apps.withDatabase(schema).withBean(EchoGenerator.class).withPropertyValues("asyncjobs.store=POSTGRES").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).getBean(JobStore.class).isInstanceOf(PostgresJobStore.class);
    });
  }

  @Test
  void theApplicationsOwnStoreWinsAndGetsNoEnclosingTransactionOfOurs() {
    InMemoryJobStore own = new InMemoryJobStore();
    Apps.withDatabase(schema).withBean(EchoGenerator.class).withBean(JobStore.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(JobStore.class)).isSameAs(own);
      assertThat(context).doesNotHaveBean(EnclosingTransaction.class);
    });
  }
}
