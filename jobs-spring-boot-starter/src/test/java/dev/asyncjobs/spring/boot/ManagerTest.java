package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.asyncjobs.ContentModerator;
import dev.asyncjobs.ContentRejectedException;
import dev.asyncjobs.CreateInterceptor;
import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.ModerationResult;
import dev.asyncjobs.QuotaLimits;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.store.memory.InMemoryJobStore;
import dev.asyncjobs.tck.EchoGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.core.annotation.Order;

/**
 * The JobManager the starter builds: its generators (beans and ServiceLoader), moderator, quota
 * policy, interceptors and customizers come from the context, and the application's own manager
 * wins.
 */
class ManagerTest {
  private static JobRequest echo(String owner) {
    return JobRequest.of(owner, EchoGenerator.TYPE, new EchoGenerator.Echo("hi", 1));
  }

  @Test
  void generatorsComeFromBeansAndFromServiceLoaderWithTheGeneratorsSettings() {
    Apps.starter().withBean(EchoGenerator.class).withPropertyValues("asyncjobs.generators.greeting.text=Good morning")
        .run(context -> {
          JobManager jobs = context.getBean(JobManager.class);
          assertThat(jobs.types()).containsExactlyInAnyOrder("echo", "greeting");
          assertThat(jobs.generators().get("echo")).isSameAs(context.getBean(EchoGenerator.class));
          assertThat(((GreetingGeneratorProvider.Greeting) jobs.generators().get("greeting")).text()).isEqualTo("Good morning");
        });
  }

  @Test
  void discoveryCanBeTurnedOff() {
    Apps.starter().withBean(EchoGenerator.class).withPropertyValues("asyncjobs.discover-generators=false")
        .run(context -> assertThat(context.getBean(JobManager.class).types()).containsExactly("echo"));
  }

  @Test
  void aGeneratorBeanWinsOverTheDiscoveredOneOfItsType() {
    try (LogCapture log = new LogCapture()) {
      Apps.starter().withBean("myGreeting", GreetingGeneratorProvider.Greeting.class,
          () -> (GreetingGeneratorProvider.Greeting) new GreetingGeneratorProvider().generators(java.util.Map.of("greeting.text", "Mine")).get(0))
          .run(context -> {
            JobManager jobs = context.getBean(JobManager.class);
            assertThat(((GreetingGeneratorProvider.Greeting) jobs.generators().get("greeting")).text()).isEqualTo("Mine");
          });
      assertThat(log.infos()).anyMatch(m -> m.startsWith("asyncjobs: job type 'greeting' has a Generator bean"));
    }
  }

  @Test
  void twoGeneratorBeansOfOneTypeFailTheStart() {
    Apps.starter().withBean("one", EchoGenerator.class).withBean("two", EchoGenerator.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(PropertiesTest.messages(context.getStartupFailure())).contains("two generators registered for type 'echo'");
    });
  }

  @Test
  void aModeratorBeanModerates() {
    ContentModerator noShouting = (owner, type, texts) -> texts.stream().anyMatch(t -> t.equals(t.toUpperCase()) && !t.equals(t.toLowerCase()))
        ? ModerationResult.flagged(Set.of("shouting"), "no shouting") : ModerationResult.allowed();
    Apps.starter().withBean(EchoGenerator.class).withBean(ContentModerator.class, () -> noShouting).run(context -> {
      JobManager jobs = context.getBean(JobManager.class);
      assertThat(catchThrowable(() -> jobs.create(JobRequest.of("alice", EchoGenerator.TYPE, new EchoGenerator.Echo("HEY", 1)))))
          .isInstanceOf(ContentRejectedException.class);
      assertThat(jobs.create(echo("alice")).ownerId()).isEqualTo("alice");
    });
  }

  @Test
  void aQuotaPolicyBeanWinsOverTheQuotaProperties() {
    QuotaPolicy plans = QuotaPolicy.builder().defaults(new QuotaLimits(1, 1, Duration.ZERO)).unlimited("service").build();
    Apps.starter().withBean(EchoGenerator.class).withBean(QuotaPolicy.class, () -> plans)
        .withPropertyValues("asyncjobs.quota.per-hour=50", "asyncjobs.worker.enabled=false").run(context -> {
          JobManager jobs = context.getBean(JobManager.class);
          assertThat(jobs.quotaPolicy()).isSameAs(plans);
          jobs.create(echo("alice"));
          assertThat(catchThrowable(() -> jobs.create(echo("alice")))).isInstanceOf(dev.asyncjobs.QuotaExceededException.class);
          jobs.create(echo("service"));
          jobs.create(echo("service"));
        });
  }

  /** Records what the manager told it, in the order of the interceptors. */
  record Recording(String name, List<String> seen) implements CreateInterceptor {
    @Override
    public JobRequest beforeCreate(JobRequest request) {
      seen.add(name + " before");
      return request.toBuilder().metadata("seen." + name, "yes").build();
    }

    @Override
    public void afterCreate(List<Job> created) {
      seen.add(name + " after " + created.size());
    }
  }

  @Test
  void createInterceptorBeansSeeEveryCreateInTheirOrder() {
    List<String> seen = new CopyOnWriteArrayList<>();
    Apps.starter().withBean(EchoGenerator.class)
        .withBean("second", Recording.class, () -> new Recording("second", seen), bd -> {})
        .withUserConfiguration(FirstInterceptor.class)
        .withBean(Seen.class, () -> new Seen(seen))
        .run(context -> {
          Job job = context.getBean(JobManager.class).create(echo("alice"));
          assertThat(job.metadata()).containsEntry("seen.first", "yes").containsEntry("seen.second", "yes");
          assertThat(seen).containsExactly("first before", "second before", "first after 1", "second after 1");
        });
  }

  /** What the interceptors saw, for the configuration below. */
  record Seen(List<String> list) {}

  /** An interceptor ordered first. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class FirstInterceptor {
    @org.springframework.context.annotation.Bean
    @Order(1)
    Recording first(Seen seen) {
      return new Recording("first", seen.list());
    }
  }

  @Test
  void customizersRunLast() {
    Apps.starter().withBean(EchoGenerator.class).withPropertyValues("asyncjobs.retention.events=2h")
        .withBean(JobManagerCustomizer.class, () -> b -> b.eventRetention(Duration.ofHours(5)).defaultPriority(9))
        .run(context -> {
          JobManager jobs = context.getBean(JobManager.class);
          assertThat(jobs.eventRetention()).isEqualTo(Duration.ofHours(5));
          assertThat(jobs.create(echo("alice")).priority()).isEqualTo(9);
        });
  }

  @Test
  void theApplicationsOwnManagerWinsAndStillGetsAWorker() {
    JobStore store = new InMemoryJobStore();
    JobManager own = JobManager.builder().store(store).generator(new EchoGenerator()).build();
    Apps.starter().withBean(JobManager.class, () -> own).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(JobManager.class)).isSameAs(own);
      assertThat(context.getBean(JobWorkerLifecycle.class).isWorkerRunning()).isTrue();
    });
  }
}
