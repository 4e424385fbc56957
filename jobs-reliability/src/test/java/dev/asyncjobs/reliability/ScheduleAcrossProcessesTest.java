package dev.asyncjobs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobSchedules;
import dev.asyncjobs.QuotaPolicy;
import dev.asyncjobs.Schedule;
import dev.asyncjobs.ScheduleStatus;
import dev.asyncjobs.reliability.child.LimitedWorkerMain;
import dev.asyncjobs.reliability.child.SlotGenerator;
import dev.asyncjobs.reliability.support.ChildJvm;
import dev.asyncjobs.reliability.support.Schema;
import dev.asyncjobs.reliability.support.Sizes;
import dev.asyncjobs.store.postgres.PostgresJobStore;
import dev.asyncjobs.testing.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import dev.asyncjobs.testing.postgres.TestPostgres;

/**
 * One schedule, two worker processes: a schedule every second, fired by two child JVMs that both
 * read it; one of them is killed (SIGKILL) in the middle and a new one started in its place. Over
 * the first {@code reliability.schedule.ticks} ticks (default 20) there is exactly one job per
 * tick: none doubled by the race between the processes or by the restart, none left out while
 * the children started or while one was dead.
 */
class ScheduleAcrossProcessesTest {
  private static final Path LOGS = Path.of("target", "reliability-logs", "schedules");
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void twoProcessesCreateExactlyOneJobPerTickThroughARestart() {
    int ticks = Sizes.count("reliability.schedule.ticks", 20);
    List<ChildJvm> workers = new ArrayList<>();
    try (Schema schema = Schema.create(TestPostgres.server(), "schedules");
        PostgresJobStore store = schema.storeBuilder().build();
        JobManager jobs = JobManager.builder().store(store).generator(new SlotGenerator(null, null, "test"))
            .quotaPolicy(QuotaPolicy.unlimited()).build()) {
      schema.execute(SlotGenerator.attemptLogDdl(schema.name()));
      ScheduleStatus saved = JobSchedules.of(jobs).save(Schedule.every("every-second", Duration.ofSeconds(1))
          .job(JobRequest.builder("ops", SlotGenerator.TYPE).payloadOf(new SlotGenerator.Work(0, 1)).build())
          .build());
      Instant first = saved.nextRunAt();
      Instant last = first.plusSeconds(ticks - 1);
      for (String id : List.of("sched-1", "sched-2")) {
        workers.add(ChildJvm.start(id, LimitedWorkerMain.class, schema.childProperties(), List.of(id), LOGS));
      }
      workers.forEach(w -> w.awaitLine(l -> l.startsWith("READY"), WAIT, "READY"));

      String jobsTable = schema.table("jobs");
      String inWindow = "SELECT count(*) FROM " + jobsTable + " WHERE (metadata->>'asyncjobs.tick')::timestamptz BETWEEN '"
          + first + "' AND '" + last + "'";
      Waits.until("half the ticks' jobs", WAIT, () -> schema.number(inWindow) >= ticks / 2, () -> schema.number(inWindow));
      workers.get(0).kill();
      ChildJvm replacement = ChildJvm.start("sched-3", LimitedWorkerMain.class, schema.childProperties(), List.of("sched-3"), LOGS);
      workers.add(replacement);
      replacement.awaitLine(l -> l.startsWith("READY"), WAIT, "READY");
      Waits.until("the last tick's job", WAIT, () -> Instant.now().isAfter(last.plusSeconds(2)) && schema.number(inWindow) >= ticks,
          () -> schema.number(inWindow));
      JobSchedules.of(jobs).remove("every-second");
      workers.stream().filter(ChildJvm::isAlive).forEach(w -> w.send("STOP"));
      workers.stream().filter(ChildJvm::isAlive).forEach(w -> w.waitFor(Duration.ofSeconds(20)));

      assertThat(schema.number(inWindow)).as("jobs of the first %d ticks", ticks).isEqualTo(ticks);
      assertThat(schema.rows("SELECT metadata->>'asyncjobs.tick', count(*) FROM " + jobsTable
          + " GROUP BY 1 HAVING count(*) > 1")).as("ticks with more than one job").isEmpty();
      assertThat(schema.number("SELECT count(DISTINCT metadata->>'asyncjobs.tick') FROM " + jobsTable
          + " WHERE (metadata->>'asyncjobs.tick')::timestamptz BETWEEN '" + first + "' AND '" + last + "'"))
          .as("distinct ticks").isEqualTo(ticks);
    } finally {
      workers.forEach(ChildJvm::close);
    }
  }
}
