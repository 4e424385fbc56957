package dev.asyncjobs.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.asyncjobs.InvalidRequestException;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.JobSchedules;
import dev.asyncjobs.JobWorker;
import dev.asyncjobs.Maintenance;
import dev.asyncjobs.Schedule;
import dev.asyncjobs.ScheduleStatus;
import dev.asyncjobs.UnknownJobTypeException;
import dev.asyncjobs.tck.EchoGenerator;
import dev.asyncjobs.tck.MutableClock;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** JobSchedules: saving, listing, replacing and removing; bad input refused with nothing stored. */
class JobSchedulesTest {
  private final MutableClock clock = new MutableClock();
  private final InMemoryJobStore store = new InMemoryJobStore(clock);
  private final JobManager jobs = JobManager.builder().store(store).clock(clock).generator(new EchoGenerator()).build();
  private final JobSchedules schedules = JobSchedules.of(jobs);

  @AfterEach
  void close() {
    jobs.close();
    store.close();
  }

  private static Schedule.Builder everyMinute(String name) {
    return Schedule.every(name, Duration.ofMinutes(1))
        .job(JobRequest.builder("alice", "echo").payloadOf(new EchoGenerator.Echo("hi", 1)).build());
  }

  @Test
  void savedSchedulesAreListedWithTheirNextRunAndASameSaveKeepsIt() {
    ScheduleStatus saved = schedules.save(everyMinute("b").build());
    schedules.save(everyMinute("a").build());
    clock.advance(Duration.ofMinutes(5));

    assertThat(saved.nextRunAt()).isEqualTo(saved.schedule().nextTickAfter(MutableClock.DEFAULT_START).orElseThrow());
    assertThat(schedules.save(everyMinute("b").build()).nextRunAt()).as("saved again, unchanged").isEqualTo(saved.nextRunAt());
    assertThat(schedules.list()).extracting(s -> s.schedule().name()).containsExactly("a", "b");
    assertThat(schedules.find("b")).contains(saved);

    Schedule changed = everyMinute("b").misfireThreshold(Duration.ofMinutes(2)).build();
    assertThat(schedules.save(changed).nextRunAt()).as("changed: from now").isAfter(clock.instant());
    assertThat(schedules.remove("b")).isTrue();
    assertThat(schedules.remove("b")).isFalse();
    assertThat(schedules.list()).extracting(s -> s.schedule().name()).containsExactly("a");
  }

  @Test
  void aScheduleWhoseJobCreateWouldRefuseIsRefusedAndNothingIsStored() {
    Schedule unknownType = Schedule.every("u", Duration.ofMinutes(1)).job(JobRequest.builder("alice", "nope").payload("{}").build()).build();
    Schedule badPayload = Schedule.every("p", Duration.ofMinutes(1))
        .job(JobRequest.builder("alice", "echo").payload("{\"text\":\"hi\",\"repeat\":\"twice\"}").build()).build();
    Schedule badOwner = Schedule.every("o", Duration.ofMinutes(1)).job(JobRequest.builder(" ", "echo").payload("{}").build()).build();
    Schedule fullMetadata = Schedule.every("m", Duration.ofMinutes(1)).job(withMetadata(15)).build();

    assertThatThrownBy(() -> schedules.save(unknownType)).isInstanceOf(UnknownJobTypeException.class);
    assertThatThrownBy(() -> schedules.save(badPayload)).isInstanceOfSatisfying(InvalidRequestException.class,
        e -> assertThat(e.field()).isEqualTo("payload.repeat"));
    assertThatThrownBy(() -> schedules.save(badOwner)).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> schedules.save(fullMetadata)).as("the tick's two entries count")
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("metadata"));
    assertThatThrownBy(() -> schedules.remove("bad name")).isInstanceOfSatisfying(InvalidRequestException.class,
        e -> assertThat(e.field()).isEqualTo("name"));
    assertThat(store.schedules()).isEmpty();
  }

  /** The samples of docs/schedules.md. */
  @Test
  void theDocsSamplesRegisterListAndRemove() {
    // EXAMPLE-BEGIN schedules-in-code
    Schedule digest = Schedule.cron("nightly-digest", "0 30 3 * * *")   // 03:30:00 every day
        .zone(ZoneId.of("Europe/Berlin"))
        .job(JobRequest.builder("reports", "echo").payload("{\"text\":\"digest\",\"repeat\":1}").build())
        .build();
    JobWorker worker = JobWorker.builder(jobs).schedule(digest).build().start();
    // EXAMPLE-END schedules-in-code
    JobRequest request = JobRequest.builder("ops", "echo").payload("{\"text\":\"ping\",\"repeat\":1}").build();
    // EXAMPLE-BEGIN schedules-at-run-time
    JobSchedules schedules = JobSchedules.of(jobs);
    schedules.save(Schedule.every("heartbeat", Duration.ofMinutes(5)).job(request).build());
    for (ScheduleStatus s : schedules.list()) {
      System.out.println(s.schedule().name() + " next at " + s.nextRunAt());
    }
    schedules.remove("heartbeat");
    // EXAMPLE-END schedules-at-run-time
    assertThat(schedules.list()).extracting(s -> s.schedule().name()).containsExactly("nightly-digest");
    assertThat(schedules.find("nightly-digest").orElseThrow().nextRunAt())
        .isEqualTo(digest.nextTickAfter(clock.instant()).orElseThrow());
    worker.close();
    // EXAMPLE-BEGIN maintenance
    JobWorker maintained = JobWorker.builder(jobs)
        .maintenance(Maintenance.builder().finishedJobRetention(Duration.ofDays(30)).build())
        .build()
        .start();
    // EXAMPLE-END maintenance
    maintained.close();
  }

  private static JobRequest withMetadata(int entries) {
    JobRequest.Builder b = JobRequest.builder("alice", "echo").payloadOf(new EchoGenerator.Echo("hi", 1));
    for (int i = 0; i < entries; i++) {
      b.metadata("k" + i, "v");
    }
    return b.build();
  }
}
