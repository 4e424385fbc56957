package dev.asyncjobs.reliability.child;

import com.zaxxer.hikari.HikariDataSource;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.QuotaExceededException;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

/**
 * One side of the quota race: {@code threads} threads of one process, each holding one create for
 * the same owner, all waiting on one latch. Prints {@code READY} when every thread waits; on the
 * input line {@code GO} opens the latch; then prints one line per create ({@code OK <jobId>},
 * {@code QUOTA <limit> <value>}, or {@code ERROR <class>: <message>}) and {@code DONE}, and exits.
 *
 * <p>Arguments: owner, threads. System properties: {@code quota.perHour}, {@code quota.perDay},
 * {@code quota.minIntervalMillis} (the owner's limits), plus the database ones.
 */
public final class QuotaRaceMain {
  private QuotaRaceMain() {}

  /** Runs one race. */
  public static void main(String[] args) throws InterruptedException {
    String owner = args[0];
    int threads = Integer.parseInt(args[1]);
    QuotaLimits limits = new QuotaLimits(Integer.getInteger("quota.perHour"), Integer.getInteger("quota.perDay"),
        Duration.ofMillis(Long.getLong("quota.minIntervalMillis")));
    ChildDatabase db = ChildDatabase.fromSystemProperties();
    HikariDataSource pool = db.pool("race-" + owner, 20);
    PostgresJobStore store = db.store(pool);
    JobManager jobs = JobManager.builder().store(store).generator(new RecordingGenerator(null, null, "race"))
        .quotaPolicy(o -> limits).build();
    store.quotaWindow(owner); // connects before the race, not during it

    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    Queue<String> outcomes = new ConcurrentLinkedQueue<>();
    List<Thread> racers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int n = i;
      Thread t = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          Job job = jobs.create(JobRequest.builder(owner, RecordingGenerator.TYPE)
              .payloadOf(new RecordingGenerator.Work(n, 1, 1)).build());
          outcomes.add("OK " + job.id());
        } catch (QuotaExceededException e) {
          outcomes.add("QUOTA " + e.limit() + " " + e.limitValue());
        } catch (InterruptedException e) {
          outcomes.add("ERROR interrupted");
        } catch (RuntimeException e) {
          outcomes.add("ERROR " + e.getClass().getName() + ": " + e.getMessage());
        }
      }, "racer-" + i);
      t.start();
      racers.add(t);
    }
    ready.await();
    CountDownLatch started = new CountDownLatch(1);
    StdinCommands.listen(line -> {
      if (line.equals("GO")) {
        started.countDown();
      }
    });
    StdinCommands.say("READY");
    started.await();
    go.countDown();
    for (Thread t : racers) {
      t.join();
    }
    outcomes.forEach(StdinCommands::say);
    StdinCommands.say("DONE");
    jobs.close();
    store.close();
    pool.close();
    System.exit(0);
  }
}
