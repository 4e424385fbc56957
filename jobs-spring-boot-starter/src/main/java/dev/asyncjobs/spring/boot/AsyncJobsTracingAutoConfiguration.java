package dev.asyncjobs.spring.boot;

import dev.asyncjobs.opentelemetry.JobTracing;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Tracing of creates and attempts ({@link JobTracing} of jobs-opentelemetry) when that module is on
 * the class path, there is an {@link OpenTelemetry} bean (Actuator's, with the OpenTelemetry SDK,
 * or the application's own) and {@code asyncjobs.tracing.enabled} is not false. The bean is a
 * {@code CreateInterceptor}, {@code AttemptInterceptor} and {@code WorkerListener}, so the
 * auto-configured manager and worker use it, ahead of the application's own interceptors (which
 * then run inside the attempt's span). A {@link JobTracing} bean of the application's replaces it.
 */
@AutoConfiguration(
    before = AsyncJobsAutoConfiguration.class,
    afterName = "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration")
@ConditionalOnClass({JobTracing.class, OpenTelemetry.class})
@ConditionalOnBean(OpenTelemetry.class)
@ConditionalOnBooleanProperty(name = "asyncjobs.tracing.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AsyncJobsProperties.class)
public class AsyncJobsTracingAutoConfiguration {

  /** For Spring. */
  public AsyncJobsTracingAutoConfiguration() {}

  /**
   * The tracing.
   *
   * @param openTelemetry the application's OpenTelemetry
   * @param properties the starter's properties
   * @return the tracing
   */
  @Bean
  @ConditionalOnMissingBean
  @Order(Ordered.HIGHEST_PRECEDENCE) // the outermost interceptor: the others run in its span
  public JobTracing jobTracing(OpenTelemetry openTelemetry, AsyncJobsProperties properties) {
    AsyncJobsProperties.Tracing tracing = properties.tracing();
    return JobTracing.builder(openTelemetry).createSpans(tracing.createSpans()).recordOwner(tracing.recordOwner()).build();
  }
}
