package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobStatus;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.spring.boot.internal.FinishedJobsCleanup;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.testing.Waits;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The worker runs with the context: started once it is refreshed, stopped gracefully when it
 * closes (a running job finishes within the grace period, or is released after it), restarted
 * after a stop, off for web-only nodes, and built from the properties, beans and customizers.
 */
class WorkerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static ApplicationContextRunner app(GateGenerator gate, Recorder recorder) {
    return Apps.starter().withBean(EchoGenerator.class).withBean(GateGenerator.class, () -> gate)
        .withBean(Recorder.class, () -> recorder);
  }

  private static Job await(JobManager jobs, Job job, JobStatus status) {
    return Waits.untilValue("job " + job.id() + " " + status, WAIT, () -> jobs.get(job.ownerId(), job.id()),
        j -> j.status() == status);
  }

  @Test
  void theWorkerRunsJobsOnceTheContextIsUpThroughTheListenerAndInterceptorBeans() {
    Recorder recorder = new Recorder();
    app(new GateGenerator(), recorder).run(context -> {
      JobWorkerLifecycle lifecycle = context.getBean(JobWorkerLifecycle.class);
      assertThat(lifecycle.isRunning()).isTrue();
      assertThat(lifecycle.isWorkerRunning()).isTrue();
      JobManager jobs = context.getBean(JobManager.class);
      Job job = jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 2)));
      assertThat(await(jobs, job, JobStatus.COMPLETED).result()).contains("hihi");
      recorder.await("attempt", job.id());
      recorder.await("completed", job.id());
    });
  }

  @Test
  void closingTheContextLetsARunningJobFinishWithinTheGracePeriod() throws Exception {
    GateGenerator gate = new GateGenerator();
    Recorder recorder = new Recorder();
    ConfigurableApplicationContext[] kept = new ConfigurableApplicationContext[1];
    Job[] job = new Job[1];
    app(gate, recorder).run(context -> {
      job[0] = context.getBean(JobManager.class).create(JobRequest.of("alice", GateGenerator.TYPE, new GateGenerator.Gate("g")));
      assertThat(gate.started.await(20, TimeUnit.SECONDS)).isTrue();
      kept[0] = context.getSourceApplicationContext(ConfigurableApplicationContext.class);
      CompletableFuture<Void> closing = CompletableFuture.runAsync(kept[0]::close);
      // The close waits for the running job: it cannot end while the gate is shut. Opening the
      // gate is what lets it end, and the job then completes instead of being released.
      Waits.until("the worker to stop claiming", WAIT, () -> !context.getBean(JobWorkerLifecycle.class).isRunning());
      assertThat(closing).isNotDone();
      gate.open.countDown();
      closing.get(20, TimeUnit.SECONDS);
    });
    assertThat(recorder.events()).contains("completed " + job[0].id()).doesNotContain("released " + job[0].id());
  }

  @Test
  void aJobStillRunningWhenTheGracePeriodEndsIsReleasedToAnotherWorker() throws Exception {
    GateGenerator gate = new GateGenerator();
    Recorder recorder = new Recorder();
    Job[] job = new Job[1];
    app(gate, recorder).withPropertyValues("asyncjobs.worker.shutdown-grace-period=200ms").run(context -> {
      job[0] = context.getBean(JobManager.class).create(JobRequest.of("alice", GateGenerator.TYPE, new GateGenerator.Gate("g")));
      assertThat(gate.started.await(20, TimeUnit.SECONDS)).isTrue();
    }); // closes the context with the gate shut
    assertThat(recorder.events()).contains("released " + job[0].id()).doesNotContain("completed " + job[0].id());
  }

  @Test
  void aStoppedContextStartsANewWorker() {
    app(new GateGenerator(), new Recorder()).run(context -> {
      JobWorkerLifecycle lifecycle = context.getBean(JobWorkerLifecycle.class);
      JobWorker first = lifecycle.worker();
      context.getSourceApplicationContext(ConfigurableApplicationContext.class).stop();
      assertThat(lifecycle.isRunning()).isFalse();
      assertThat(lifecycle.worker()).isNull();
      assertThat(first.isRunning()).isFalse();
      context.getSourceApplicationContext(ConfigurableApplicationContext.class).start();
      assertThat(lifecycle.worker()).isNotNull().isNotSameAs(first);
      JobManager jobs = context.getBean(JobManager.class);
      await(jobs, jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("again", 1))), JobStatus.COMPLETED);
    });
  }

  @Test
  void propertiesAndThenCustomizersSetTheWorkersSettings() {
    app(new GateGenerator(), new Recorder()).withPropertyValues("asyncjobs.worker.id=from-properties").run(context ->
        assertThat(context.getBean(JobWorkerLifecycle.class).worker().workerId()).isEqualTo("from-properties"));
    app(new GateGenerator(), new Recorder()).withPropertyValues("asyncjobs.worker.id=from-properties")
        .withBean(JobWorkerCustomizer.class, () -> b -> b.workerId("from-a-customizer"))
        .run(context -> assertThat(context.getBean(JobWorkerLifecycle.class).worker().workerId()).isEqualTo("from-a-customizer"));
  }

  @Test
  void aPerTypeTimeoutApplies() {
    GateGenerator gate = new GateGenerator();
    Recorder recorder = new Recorder();
    app(gate, recorder).withPropertyValues("asyncjobs.worker.timeout-per-type.gate=300ms").run(context -> {
      JobManager jobs = context.getBean(JobManager.class);
      Job job = jobs.create(JobRequest.builder("alice", GateGenerator.TYPE, new GateGenerator.Gate("slow")).maxAttempts(1).build());
      // the gate stays shut: only the 300 ms timeout can end the attempt
      Job failed = await(jobs, job, JobStatus.FAILED);
      assertThat(failed.errorMessage()).containsIgnoringCase("timed out");
    });
  }

  @Test
  void webOnlyNodesRunNoWorkerAndNoCleanup() {
    Apps.starter().withBean(EchoGenerator.class)
        .withPropertyValues("asyncjobs.worker.enabled=false", "asyncjobs.retention.finished-jobs=1d").run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(JobManager.class)
              .doesNotHaveBean(JobWorkerLifecycle.class).doesNotHaveBean(FinishedJobsCleanup.class);
          Job job = context.getBean(JobManager.class).create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("x", 1)));
          assertThat(job.status()).isEqualTo(JobStatus.PENDING);
        });
  }

  @Test
  void aWorkerWithoutAnyGeneratorFailsTheStartSayingWhatToDo() {
    Apps.starter().withPropertyValues("asyncjobs.discover-generators=false").run(context -> {
      assertThat(context).hasFailed();
      assertThat(PropertiesTest.messages(context.getStartupFailure()))
          .contains("asyncjobs: the JobManager has no generators: define a Generator bean");
    });
    Apps.starter().withPropertyValues("asyncjobs.discover-generators=false", "asyncjobs.worker.enabled=false")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void theApplicationsOwnLifecycleWins() {
    Apps.starter().withBean(EchoGenerator.class).withUserConfiguration(OwnLifecycle.class).run(context -> {
      assertThat(context).hasSingleBean(JobWorkerLifecycle.class);
      assertThat(context.getBean(JobWorkerLifecycle.class).worker().workerId()).isEqualTo("own");
    });
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class OwnLifecycle {
    @org.springframework.context.annotation.Bean
    JobWorkerLifecycle ownLifecycle(JobManager jobs) {
      return new JobWorkerLifecycle(() -> JobWorker.builder(jobs).workerId("own").build());
    }
  }
}
