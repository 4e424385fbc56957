package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobStoreException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class StoreOutageLogTest {
  /** A logger that keeps "level message" of every call, whatever the binding. */
  private static Logger recording(List<String> calls) {
    return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
      String name = method.getName();
      if (name.startsWith("is") && name.endsWith("Enabled")) {
        return true;
      }
      if (List.of("warn", "info", "debug", "error", "trace").contains(name)) {
        calls.add(name + " " + args[0]);
      }
      return null;
    });
  }

  @Test
  void anOutageIsLoggedOnceWhenItStartsAndOnceWhenItEndsHoweverManyCallsFail() {
    List<String> calls = new ArrayList<>();
    StoreOutageLog log = new StoreOutageLog(recording(calls), "w1");
    log.succeeded();
    assertThat(calls).isEmpty();

    for (int i = 0; i < 50; i++) {
      log.failed(i % 2 == 0 ? "claim" : "rescue", new JobStoreException("connection refused", "08001", null));
    }
    log.succeeded();
    log.succeeded();

    assertThat(calls).filteredOn(c -> c.startsWith("warn")).singleElement().asString().contains("seems unreachable");
    assertThat(calls).filteredOn(c -> c.startsWith("info")).singleElement().asString().contains("answers again");
    assertThat(calls).filteredOn(c -> c.startsWith("debug")).hasSize(49);

    log.failed("heartbeat", new JobStoreException("connection refused", "08001", null));
    assertThat(calls).filteredOn(c -> c.startsWith("warn")).as("a second outage warns again").hasSize(2);
  }
}
