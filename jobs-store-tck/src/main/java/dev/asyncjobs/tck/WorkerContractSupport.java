package dev.asyncjobs.tck;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobStore;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.Subscription;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/** Helpers of {@link WorkerContract}: a scripted generator, a settable clock, a store that can be cut off, an event log. */
public final class WorkerContractSupport {
  private WorkerContractSupport() {}

  /** The payload of the scripted generator. */
  public record Step(int n) {}

  /** What a scripted generator does; may throw anything. */
  @FunctionalInterface
  public interface Script {
    /** One attempt. */
    Object run(Step step, JobContext context) throws Exception;
  }

  /** A generator of any type name whose attempts run a script. */
  public static final class Scripted implements Generator<Step> {
    private final String type;
    private final Script script;

    /** A generator of {@code type} running {@code script}. */
    public Scripted(String type, Script script) {
      this.type = type;
      this.script = script;
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public Class<Step> payloadType() {
      return Step.class;
    }

    @Override
    public Object generate(Step payload, JobContext context) {
      try {
        return script.run(payload, context);
      } catch (RuntimeException e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A clock that stands still until a test moves it. */
  public static final class TestClock extends Clock {
    private final AtomicReference<Instant> now;

    /** A clock at {@code start}. */
    public TestClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    /** Moves the clock forward. */
    public void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("a TestClock stays in UTC");
    }
  }

  /** A random source whose {@code nextDouble()} is always {@code fraction}. */
  public static RandomGenerator fixedRandom(double fraction) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return (long) (fraction * Long.MAX_VALUE);
      }

      @Override
      public double nextDouble() {
        return fraction;
      }
    };
  }

  /**
   * Wraps a store so that a test can cut it off, as if the process using it had died or lost its
   * network: after {@link #sever()} every call throws {@link JobStoreException} and no event is
   * delivered, so nothing the worker does reaches the real store.
   */
  public static final class Severable {
    private final AtomicBoolean severed = new AtomicBoolean();
    private final JobStore store;

    /** Wraps {@code target}. */
    public Severable(JobStore target) {
      this.store =
          (JobStore)
              Proxy.newProxyInstance(
                  JobStore.class.getClassLoader(),
                  new Class<?>[] {JobStore.class},
                  (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("clock") || name.equals("close")) {
                      return method.invoke(target, args);
                    }
                    if (name.equals("subscribe")) {
                      JobEventListener l = (JobEventListener) args[0];
                      return target.subscribe(e -> {
                        if (!severed.get()) {
                          l.onEvent(e);
                        }
                      });
                    }
                    if (severed.get()) {
                      throw new JobStoreException("connection lost (simulated crash)", null, null);
                    }
                    try {
                      return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
    }

    /** The wrapping store. */
    public JobStore store() {
      return store;
    }

    /** Cuts the store off. */
    public void sever() {
      severed.set(true);
    }
  }

  /** Records a store's events and lets a test wait for one. */
  public static final class EventLog implements AutoCloseable {
    private final List<JobEvent> events = new ArrayList<>();
    private final Subscription subscription;

    /** Subscribes to {@code store}, keeping the events that pass {@code filter}. */
    public EventLog(JobStore store, Predicate<JobEvent> filter) {
      this.subscription =
          store.subscribe(
              e -> {
                if (filter.test(e)) {
                  synchronized (this) {
                    events.add(e);
                    notifyAll();
                  }
                }
              });
    }

    /** Every event so far. */
    public synchronized List<JobEvent> events() {
      return List.copyOf(events);
    }

    /**
     * The {@code index}-th event (from 0) that passes {@code match}, waiting for it.
     *
     * @throws AssertionError when it has not arrived within {@code timeout}
     */
    public synchronized JobEvent await(Predicate<JobEvent> match, int index, Duration timeout)
        throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        int seen = 0;
        for (JobEvent e : events) {
          if (match.test(e) && seen++ == index) {
            return e;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("event #" + index + " not seen within " + timeout + "; events: " + events);
        }
        wait(Math.max(1, left / 1_000_000));
      }
    }

    @Override
    public void close() {
      subscription.close();
    }
  }

  /** Threads alive now whose name starts with {@code prefix}. */
  public static List<String> liveThreads(String prefix) {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(prefix)) {
        names.add(t.getName());
      }
    }
    return names;
  }
}
