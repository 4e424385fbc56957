package dev.asyncjobs.spring.boot;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.webhooks.WebhookEndpoints;
import dev.asyncjobs.webhooks.WebhookSecrets;
import dev.asyncjobs.webhooks.Webhooks;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Signed webhooks of finished jobs ({@link Webhooks} of jobs-webhooks) when that module is on the
 * class path, the application defines a {@link WebhookSecrets} bean (the owners' signing secrets)
 * and {@code asyncjobs.webhooks.enabled} is not false. The manager gets the delivery generator and
 * the URL checks through a {@link JobManagerCustomizer}; the worker, when this application runs
 * one, gets the dispatcher through a {@link JobWorkerCustomizer}. A {@link WebhookEndpoints} bean
 * gives owners' callback URLs; a {@link Webhooks} bean of the application's replaces this one.
 */
@AutoConfiguration(before = AsyncJobsAutoConfiguration.class)
@ConditionalOnClass(Webhooks.class)
@ConditionalOnBean(WebhookSecrets.class)
@ConditionalOnBooleanProperty(name = "asyncjobs.webhooks.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AsyncJobsProperties.class)
public class AsyncJobsWebhooksAutoConfiguration {
  private static final String PROPERTY = AsyncJobsProperties.PREFIX + ".webhooks";

  /** For Spring. */
  public AsyncJobsWebhooksAutoConfiguration() {}

  /**
   * The webhooks, from the {@code asyncjobs.webhooks.*} properties; closed with the context.
   *
   * @param secrets the owners' signing secrets
   * @param endpoints the owners' callback URLs, when there is such a bean
   * @param properties the starter's properties
   * @return the webhooks
   * @throws JobConfigurationException a property is bad (the message names it)
   */
  @Bean
  @ConditionalOnMissingBean
  public Webhooks webhooks(WebhookSecrets secrets, ObjectProvider<WebhookEndpoints> endpoints, AsyncJobsProperties properties) {
    AsyncJobsProperties.Webhook p = properties.webhooks();
    try {
      Webhooks.Builder b = Webhooks.builder().secrets(secrets)
          .allowHttp(p.allowHttp())
          .allowPrivateAddresses(p.allowPrivateAddresses())
          .trustedHosts(p.trustedHosts())
          .timeout(p.timeout())
          .retryDelays(p.retryDelays())
          .dispatchInterval(p.dispatchInterval())
          .maxBodyBytes(p.maxBodyBytes())
          .deliveryOwner(p.deliveryOwner());
      endpoints.ifAvailable(b::ownerEndpoints);
      p.typeEndpoints().forEach(b::typeEndpoint);
      return b.build();
    } catch (JobConfigurationException e) {
      throw new JobConfigurationException(PROPERTY + ": " + e.getMessage());
    }
  }

  /**
   * Adds the delivery generator and the callback URL checks to the manager.
   *
   * @param webhooks the webhooks
   * @return the customizer
   */
  @Bean
  public JobManagerCustomizer asyncjobsWebhooksManager(Webhooks webhooks) {
    return webhooks::register;
  }

  /**
   * Gives the worker the dispatcher, which turns finished jobs into deliveries once per tick among
   * all workers of the store.
   *
   * @param webhooks the webhooks
   * @param jobs the manager, built by the time the worker is
   * @return the customizer
   */
  @Bean
  public JobWorkerCustomizer asyncjobsWebhooksWorker(Webhooks webhooks, ObjectProvider<JobManager> jobs) {
    return worker -> worker.task(webhooks.dispatcher(jobs.getObject()));
  }
}
