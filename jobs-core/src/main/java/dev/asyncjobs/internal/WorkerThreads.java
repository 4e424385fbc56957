package dev.asyncjobs.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes and remembers every thread of one worker, named {@code asyncjobs-<workerId>-<role>-<n>}, so
 * that operators recognise them in thread dumps and {@code close()} can prove none is left behind.
 * Threads are daemons: a host that forgets {@code close()} can still exit (its leases then expire
 * and other workers rescue the jobs).
 */
public final class WorkerThreads {
  private final String prefix;
  private final AtomicInteger counter = new AtomicInteger();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  /** The threads of the worker with this id. */
  public WorkerThreads(String workerId) {
    this.prefix = prefix(workerId);
  }

  /** The name prefix of every thread of the worker with this id. */
  public static String prefix(String workerId) {
    return "asyncjobs-" + workerId + "-";
  }

  /** A factory of threads in the given role, e.g. {@code job}. */
  public ThreadFactory factory(String role) {
    return r -> {
      Thread t = new Thread(r, prefix + role + "-" + counter.incrementAndGet());
      t.setDaemon(true);
      threads.add(t);
      return t;
    };
  }

  /**
   * Waits until every thread made so far has ended, or the deadline ({@link System#nanoTime()}).
   *
   * @return the threads still alive
   */
  public List<Thread> joinAll(long deadlineNanos) throws InterruptedException {
    List<Thread> alive = new ArrayList<>();
    for (Thread t : threads) {
      if (t == Thread.currentThread()) {
        continue;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.timedJoin(t, left);
      }
      if (t.isAlive()) {
        alive.add(t);
      } else {
        threads.remove(t);
      }
    }
    return alive;
  }
}
