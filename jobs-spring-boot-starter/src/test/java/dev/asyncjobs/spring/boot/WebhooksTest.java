package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.webhooks.WebhookReceiver;
import dev.asyncjobs.webhooks.WebhookSecrets;
import dev.asyncjobs.webhooks.WebhookSignature;
import dev.asyncjobs.webhooks.Webhooks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The webhooks binding: with jobs-webhooks and a WebhookSecrets bean, a finished job is posted,
 * signed, to a real receiver; absent without the bean or when turned off; a bad property fails
 * the start naming it.
 */
class WebhooksTest {
  private static final String SECRET = WebhookSignature.newSecret();

  private static ApplicationContextRunner withWebhooks() {
    return Apps.starter().withBean(EchoGenerator.class)
        .withConfiguration(AutoConfigurations.of(AsyncJobsWebhooksAutoConfiguration.class));
  }

  @Test
  void aFinishedJobIsPostedSignedToItsCallbackURL() {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      withWebhooks()
          .withBean(WebhookSecrets.class, () -> WebhookSecrets.of(Map.of("alice", List.of(SECRET))))
          .withPropertyValues("asyncjobs.webhooks.allow-http=true", "asyncjobs.webhooks.allow-private-addresses=true",
              "asyncjobs.webhooks.dispatch-interval=50ms", "asyncjobs.worker.keep-limit-slots=true")
          .run(context -> {
            assertThat(context).hasSingleBean(Webhooks.class);
            assertThat(context.getBean(AsyncJobsProperties.class).worker().keepLimitSlots()).isTrue();
            JobManager jobs = context.getBean(JobManager.class);
            assertThat(jobs.types()).contains(Webhooks.DELIVERY_TYPE);
            jobs.create(JobRequest.builder("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1))
                .metadata(Webhooks.CALLBACK_URL, receiver.url("/hooks")).build());
            Waits.until("the webhook", Duration.ofSeconds(20), () -> !receiver.received().isEmpty());
            WebhookReceiver.Received r = receiver.received().get(0);
            assertThat(WebhookSignature.verify(SECRET, r.id(), r.timestamp(), r.body(), r.signature(), Instant.now(),
                WebhookSignature.DEFAULT_TOLERANCE)).isTrue();
            assertThat(r.body()).contains("\"type\":\"job.completed\"");
          });
    }
  }

  @Test
  void noWebhooksWithoutSecretsOrWhenTurnedOff() {
    withWebhooks().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Webhooks.class));
    withWebhooks().withBean(WebhookSecrets.class, () -> owner -> List.of())
        .withPropertyValues("asyncjobs.webhooks.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Webhooks.class));
  }

  @Test
  void aBadPropertyFailsTheStartNamingIt() {
    withWebhooks().withBean(WebhookSecrets.class, () -> owner -> List.of())
        .withPropertyValues("asyncjobs.webhooks.timeout=1ms")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(PropertiesTest.messages(context.getStartupFailure())).contains("asyncjobs.webhooks: webhook timeout must be");
        });
    withWebhooks().withBean(WebhookSecrets.class, () -> owner -> List.of())
        .withPropertyValues("asyncjobs.webhooks.type-endpoints.echo=http://hooks.example.com/")
        .run(context -> assertThat(PropertiesTest.messages(context.getStartupFailure()))
            .contains("asyncjobs.webhooks: typeEndpoint of echo: webhook URL refused: only https"));
  }
}
