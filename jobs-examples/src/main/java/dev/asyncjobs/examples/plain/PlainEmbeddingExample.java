package dev.asyncjobs.examples.plain;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.Subscription;
import dev.asyncjobs.examples.demo.DemoSettings;
import dev.asyncjobs.examples.demo.TextGenerationDemo;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The whole library in one {@code main}: a manager, a worker, one job, and its result. */
public final class PlainEmbeddingExample {
  private PlainEmbeddingExample() {}

  /** Creates a text job, prints its progress, waits for it, prints the result. */
  public static void main(String[] args) throws InterruptedException {
    try (InMemoryJobStore store = new InMemoryJobStore(Clock.systemUTC());
        JobManager jobs = JobManager.builder()
            .store(store)
            .generator(new TextGenerationDemo(new DemoSettings(Duration.ofMillis(100))))
            .build();
        JobWorker worker = JobWorker.builder(jobs).concurrency(2).build().start()) {

      CountDownLatch finished = new CountDownLatch(1);
      try (Subscription events = jobs.subscribe("alice", event -> {
        System.out.println(event.kind() + " " + event.progress() + "% " + (event.message() == null ? "" : event.message()));
        if (event.status().isFinal()) {
          finished.countDown();
        }
      })) {
        Job job = jobs.create(JobRequest.builder("alice", TextGenerationDemo.TYPE)
            .payload("{\"prompt\": \"Explain durable job queues to a new colleague\"}")
            .build());
        System.out.println("created " + job.id() + ", expected to take " + job.estimatedDuration());

        if (!finished.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("job did not finish in 30 s");
        }
        Job done = jobs.get("alice", job.id());
        System.out.println(done.status() + ": " + done.result());
      }
    }
  }
}
