package dev.asyncjobs;

import dev.asyncjobs.internal.ScheduleCodec;
import dev.asyncjobs.spi.JobStore;
import dev.asyncjobs.spi.ScheduleRecord;
import dev.asyncjobs.spi.StoreCapability;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recurring jobs of a store: save, list and remove {@link Schedule}s at run time. Every worker
 * on the store reads the schedules every {@linkplain JobWorker.Builder#schedulePollInterval poll
 * interval}, so a change made here (in any process) takes effect everywhere within it. Operator
 * API: never hand it to a tenant.
 *
 * <pre>{@code
 * JobSchedules schedules = JobSchedules.of(jobs);
 * schedules.save(Schedule.every("heartbeat", Duration.ofMinutes(5)).job(request).build());
 * schedules.list().forEach(s -> System.out.println(s.schedule().name() + " next at " + s.nextRunAt()));
 * schedules.remove("heartbeat");
 * }</pre>
 */
public final class JobSchedules {
  private static final Logger LOG = LoggerFactory.getLogger(JobSchedules.class);

  private final JobManager jobs;
  private final JobStore store;

  private JobSchedules(JobManager jobs) {
    this.jobs = jobs;
    this.store = jobs.store();
  }

  /**
   * {@return the schedules of {@code jobs}' store}
   *
   * @param jobs the manager whose store keeps the schedules
   * @throws UnsupportedCapabilityException the store does not declare {@link StoreCapability#SCHEDULES}
   */
  public static JobSchedules of(JobManager jobs) {
    Objects.requireNonNull(jobs, "jobs");
    if (!jobs.store().capabilities().contains(StoreCapability.SCHEDULES)) {
      throw new UnsupportedCapabilityException(StoreCapability.SCHEDULES, "JobSchedules", jobs.store().getClass().getName(),
          "use a store that keeps schedules (both bundled stores do)");
    }
    return new JobSchedules(jobs);
  }

  /**
   * Saves {@code schedule}: a new one starts with its next tick from now; one of the same name is
   * replaced, and starts again from now, unless it is the same, whose next run stays (so that every
   * process may save its schedules at start).
   *
   * @param schedule the schedule
   * @return the schedule as stored, with its next run
   * @throws InvalidRequestException its job request is refused as {@link JobManager#create} would
   *     refuse it (owner, payload, priority, attempts, metadata); nothing is stored
   * @throws UnknownJobTypeException this manager has no generator of the job's type
   */
  public ScheduleStatus save(Schedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    Instant now = jobs.clock().instant();
    // the tick's job, as it will be created: its metadata counts the two entries a tick adds
    Instant first = schedule.nextTickAfter(now).orElseThrow();
    jobs.validate(schedule.job().toBuilder()
        .idempotencyKey(schedule.keyOf(first))
        .metadata("asyncjobs.schedule", schedule.name())
        .metadata("asyncjobs.tick", first.toString())
        .build());
    ScheduleRecord stored = store.saveSchedule(schedule.name(), ScheduleCodec.encode(schedule), first);
    LOG.info("schedule saved: {}, next run {}", schedule, stored.nextRunAt());
    return new ScheduleStatus(schedule, stored.nextRunAt());
  }

  /**
   * Removes the schedule {@code name}; jobs it created stay.
   *
   * @param name the schedule's name
   * @return whether there was one
   * @throws InvalidRequestException the name is not a valid schedule name (field {@code name})
   */
  public boolean remove(String name) {
    boolean removed = store.removeSchedule(Schedule.checkName(name));
    if (removed) {
      LOG.info("schedule removed: {}", name);
    }
    return removed;
  }

  /**
   * {@return every schedule of the store, in name order, with its next run} The library's own
   * (maintenance) are not listed.
   *
   * @throws JobException a schedule was saved by a version of asyncjobs that this one cannot read
   */
  public List<ScheduleStatus> list() {
    List<ScheduleStatus> out = new ArrayList<>();
    for (ScheduleRecord r : store.schedules()) {
      if (!r.name().startsWith(Schedule.RESERVED_PREFIX)) {
        out.add(new ScheduleStatus(ScheduleCodec.decode(r.name(), r.definition()), r.nextRunAt()));
      }
    }
    return List.copyOf(out);
  }

  /**
   * {@return the schedule {@code name}, if stored}
   *
   * @param name the schedule's name
   * @throws InvalidRequestException the name is not a valid schedule name (field {@code name})
   */
  public Optional<ScheduleStatus> find(String name) {
    Schedule.checkName(name);
    return list().stream().filter(s -> s.schedule().name().equals(name)).findFirst();
  }
}
