package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.spi.WakeUpHints;
import dev.asyncjobs.testing.Waits;
import dev.asyncjobs.testing.postgres.TcpProxy;
import dev.asyncjobs.testing.postgres.TestPostgres;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link PostgresJobStore#listenerConnected()} follows the listening connection, for health checks:
 * down until something needs it, up while listening, down while the network is cut, up again once
 * it is back, down after close. The outage is real: a TCP proxy between the store and the server.
 */
class ListenerConnectedTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Test
  void followsTheListeningConnectionThroughAnOutage() throws Exception {
    TestPostgres.Server server = TestPostgres.server();
    URI target = URI.create(server.url().substring("jdbc:".length()));
    try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort()).start()) {
      PostgresJobStore store = PostgresJobStore.builder()
          .jdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + target.getPath())
          .user(server.user()).password(server.password()).schema(schema.name())
          .connectionTimeout(Duration.ofMillis(500))
          .listenerReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
          .build();
      try {
        assertThat(store.listenerConnected()).as("before anything needed the listener").isFalse();

        WakeUpHints hints = store.onWakeUpHint(() -> {}); // as a starting worker does; waits for LISTEN
        assertThat(store.listenerConnected()).as("once a wake-up callback opened it").isTrue();

        proxy.stop();
        Waits.until("the listener to notice the cut network", WAIT, () -> !store.listenerConnected(),
            () -> "listenerConnected " + store.listenerConnected());
        proxy.start();
        Waits.until("the listener to reconnect", WAIT, store::listenerConnected,
            () -> "listenerConnected " + store.listenerConnected());
        hints.close();
      } finally {
        store.close();
      }
      assertThat(store.listenerConnected()).as("after close").isFalse();
    }
  }
}
