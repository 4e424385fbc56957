package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.PostgresSchema;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The asyncjobs health indicator: UP with its details on a healthy node, DOWN when the store does
 * not answer (a real PostgreSQL store whose pool was closed under it) or when the worker is not
 * running, "disabled" on web-only nodes; off with management.health.asyncjobs.enabled=false or
 * without Actuator; replaced by the application's own bean of its name.
 */
class HealthTest {
  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema();

  private static Health health(org.springframework.context.ApplicationContext context) {
    return context.getBean("asyncjobsHealthIndicator", HealthIndicator.class).health();
  }

  @Test
  void upInMemoryWithTheRunningWorkersDetails() {
    Apps.starter().withBean(EchoGenerator.class).withPropertyValues("asyncjobs.worker.id=node-1").run(context -> {
      Health health = health(context);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("store", "InMemoryJobStore").containsEntry("worker", "running")
          .containsEntry("workerId", "node-1").containsEntry("runningJobs", 0).doesNotContainKey("listener");
    });
  }

  @Test
  void downWhenTheWorkerIsNotRunning() {
    Apps.starter().withBean(EchoGenerator.class).run(context -> {
      context.getSourceApplicationContext(ConfigurableApplicationContext.class).stop();
      Health health = health(context);
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("worker", "stopped");
    });
  }

  @Test
  void upOnAWebOnlyNodeWithTheWorkerDisabled() {
    Apps.starter().withBean(EchoGenerator.class).withPropertyValues("asyncjobs.worker.enabled=false").run(context -> {
      Health health = health(context);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("worker", "disabled");
    });
  }

  @Test
  void postgresUpWithTheListenerThenDownWhenTheStoreCannotBeReached() {
    Apps.withDatabase(schema).withBean(EchoGenerator.class).run(context -> {
      // the started worker opened the store's listening connection
      Waits.until("the listener to connect", Duration.ofSeconds(20),
          () -> "connected".equals(health(context).getDetails().get("listener")), () -> health(context));
      Health up = health(context);
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      assertThat(up.getDetails()).containsEntry("store", "PostgresJobStore").containsEntry("worker", "running");

      context.getBean(HikariDataSource.class).close(); // the application's pool is gone: the store cannot answer
      Health down = health(context);
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails()).containsKey("error").containsEntry("store", "PostgresJobStore");
    });
  }

  @Test
  void offWhenDisabledOrWithoutActuator() {
    Apps.starter().withBean(EchoGenerator.class).withPropertyValues("management.health.asyncjobs.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("asyncjobsHealthIndicator"));
    Apps.starter().withBean(EchoGenerator.class).withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("asyncjobsHealthIndicator"));
  }

  @Test
  void theApplicationsOwnIndicatorOfThatNameWins() {
    HealthIndicator own = () -> Health.up().withDetail("own", true).build();
    Apps.starter().withBean(EchoGenerator.class).withBean("asyncjobsHealthIndicator", HealthIndicator.class, () -> own)
        .run(context -> assertThat(context.getBean("asyncjobsHealthIndicator")).isSameAs(own));
  }
}
