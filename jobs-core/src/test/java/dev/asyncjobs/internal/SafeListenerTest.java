package dev.asyncjobs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.WorkerListener;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker calls its listeners through {@link SafeListener}: a callback it does not override
 * would run {@link WorkerListener}'s empty default and never reach them (as {@code onRateLimited}
 * once did).
 */
class SafeListenerTest {

  @Test
  void forwardsEveryCallbackOfWorkerListener() {
    List<String> missing = Arrays.stream(WorkerListener.class.getMethods())
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .filter(m -> !overridden(m))
        .map(Method::getName)
        .toList();
    assertThat(missing).as("WorkerListener callbacks SafeListener does not forward").isEmpty();
  }

  private static boolean overridden(Method callback) {
    try {
      SafeListener.class.getDeclaredMethod(callback.getName(), callback.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
