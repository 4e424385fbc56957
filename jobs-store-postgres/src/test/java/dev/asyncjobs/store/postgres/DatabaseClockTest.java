package dev.asyncjobs.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A store built without a clock tells the database server's time, so that processes whose host
 * clocks differ agree on leases, due times and quota windows (ClockSkewTest in jobs-reliability
 * runs workers whose host clocks are 30 s off).
 */
class DatabaseClockTest {
  @RegisterExtension
  static final TestSchema schema = new TestSchema();

  @Test
  void theDefaultClockIsTheServersClock() {
    try (PostgresJobStore store = PostgresJobStore.builder().dataSource(schema.dataSource()).schema(schema.name()).build()) {
      for (int i = 0; i < 5; i++) {
        Instant before = store.clock().instant();
        Instant server = Instant.ofEpochMilli(Long.parseLong(
            schema.value("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")));
        Instant after = store.clock().instant();
        // the server's reading lies between the two store readings, give or take a millisecond of rounding
        assertThat(server).isBetween(before.minusMillis(2), after.plusMillis(2));
        assertThat(Duration.between(before, after)).isLessThan(Duration.ofSeconds(5));
      }
    }
  }
}
