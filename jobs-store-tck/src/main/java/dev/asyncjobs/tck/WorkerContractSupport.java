package dev.asyncjobs.tck;

import dev.asyncjobs.Generator;
import dev.asyncjobs.JobContext;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.spi.EventSubscription;
import dev.asyncjobs.spi.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/** Helpers of the worker suite of {@link JobStoreTck}: a scripted generator, a fixed random source, a store that can be cut off. */
public final class WorkerContractSupport {
  private WorkerContractSupport() {}

  /** The payload of the scripted generator. */
  public record Step(int n) {}

  /** What a scripted generator does; may throw anything. */
  @FunctionalInterface
  public interface Script {
    /**
     * One attempt.
     *
     * @param step the job's payload
     * @param context the attempt's context
     * @return the result
     * @throws Exception anything; the generator reports it as the attempt's failure
     */
    Object run(Step step, JobContext context) throws Exception;
  }

  /** A generator of any type name whose attempts run a script. */
  public static final class Scripted implements Generator<Step> {
    private final String type;
    private final Script script;
    private final Set<String> resources;
    private final long units;

    /**
     * A generator of {@code type} running {@code script}.
     *
     * @param type the job type
     * @param script what each attempt does
     */
    public Scripted(String type, Script script) {
      this(type, script, Set.of(), 1);
    }

    private Scripted(String type, Script script, Set<String> resources, long units) {
      this.type = type;
      this.script = script;
      this.resources = resources;
      this.units = units;
    }

    /**
     * {@return the same generator declaring {@code resources} and estimating {@code units} per job}
     *
     * @param units the estimate of every job
     * @param resources the resource keys its jobs fall under
     */
    public Scripted withResources(long units, String... resources) {
      return new Scripted(type, script, Set.of(resources), units);
    }

    @Override
    public Set<String> resources() {
      return resources;
    }

    @Override
    public long estimateUnits(Step payload) {
      return units;
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

  /**
   * {@return a random source whose {@code nextDouble()} is always {@code fraction}}
   *
   * @param fraction between 0 (inclusive) and 1 (exclusive)
   */
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
   * Wraps {@code target} so that every {@link JobStore#completeAllThenClaim} call that claimed a job
   * counts one in {@code handOns}: how often a worker handed a slot its completions freed to its
   * next job in the same call.
   *
   * @param target the store to wrap
   * @param handOns counts those calls
   * @return the wrapping store
   */
  public static JobStore countingHandOns(JobStore target, java.util.concurrent.atomic.AtomicInteger handOns) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(), new Class<?>[] {JobStore.class},
        (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (result instanceof dev.asyncjobs.spi.CompletedAndClaimed c && !c.claimed().isEmpty()) {
            handOns.incrementAndGet();
          }
          return result;
        });
  }

  /**
   * Wraps a store so that a test can cut it off, as if the process using it had died or lost its
   * network: after {@link #sever()} every call throws {@link JobStoreException} and no event is
   * delivered, so nothing the worker does reaches the real store.
   */
  public static final class Severable {
    private final AtomicBoolean severed = new AtomicBoolean();
    private final JobStore store;

    /**
     * Wraps {@code target}.
     *
     * @param target the store to wrap
     */
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
                      JobEventListener l = (JobEventListener) args[1];
                      return target.subscribe((EventSubscription) args[0], e -> {
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

    /** {@return the wrapping store} */
    public JobStore store() {
      return store;
    }

    /** Cuts the store off. */
    public void sever() {
      severed.set(true);
    }
  }

  /**
   * {@return threads alive now whose name starts with {@code prefix}}
   *
   * @param prefix the thread name prefix
   */
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
