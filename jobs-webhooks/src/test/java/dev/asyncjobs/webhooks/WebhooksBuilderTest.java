package dev.asyncjobs.webhooks;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.JobConfigurationException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every bad setting is refused with a message that names it. */
class WebhooksBuilderTest {
  private static Webhooks.Builder builder() {
    return Webhooks.builder().secrets(owner -> List.of());
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> Webhooks.builder().build()).isInstanceOf(JobConfigurationException.class).hasMessageContaining("secrets");
    assertThatThrownBy(() -> builder().typeEndpoint("echo", "http://hooks.example.com/").build())
        .isInstanceOf(JobConfigurationException.class).hasMessageContaining("typeEndpoint of echo: webhook URL refused: only https");
    assertThatThrownBy(() -> builder().typeEndpoint("echo", "https://127.0.0.1/").build()).hasMessageContaining("loopback");
    assertThatThrownBy(() -> builder().retryDelays(List.of())).hasMessageContaining("1 to 20 waits");
    assertThatThrownBy(() -> builder().retryDelays(List.of(Duration.ofDays(2)))).hasMessageContaining("1 ms to 1 day");
    assertThatThrownBy(() -> builder().timeout(Duration.ofMillis(1))).hasMessageContaining("timeout must be");
    assertThatThrownBy(() -> builder().dispatchInterval(Duration.ofHours(1))).hasMessageContaining("dispatchInterval must be");
    assertThatThrownBy(() -> builder().maxBodyBytes(10)).hasMessageContaining("maxBodyBytes must be");
    assertThatThrownBy(() -> builder().deliveryOwner(" ")).hasMessageContaining("deliveryOwner must be");
  }

  @Test
  void theDispatcherNeedsAManagerWithTheDeliveryGenerator() {
    try (InMemoryJobStore store = new InMemoryJobStore();
        Webhooks webhooks = builder().build();
        JobManager jobs = JobManager.builder().store(store).generator(new EchoGenerator()).build()) {
      assertThatThrownBy(() -> webhooks.dispatcher(jobs)).isInstanceOf(JobConfigurationException.class)
          .hasMessageContaining("webhooks.register");
    }
  }
}
