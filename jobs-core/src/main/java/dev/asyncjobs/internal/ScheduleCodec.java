package dev.asyncjobs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncjobs.JobException;
import dev.asyncjobs.JobRequest;
import dev.asyncjobs.MissedTicks;
import dev.asyncjobs.Schedule;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.Map;

/**
 * A schedule's definition as the store keeps it: JSON with its fields in a fixed order, so that
 * the same schedule always gives the same text, which is how a store tells an unchanged schedule
 * (keep its next run) from a changed one.
 */
public final class ScheduleCodec {
  private static final int VERSION = 1;

  private ScheduleCodec() {}

  /** {@return {@code schedule}'s definition} */
  public static String encode(Schedule schedule) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.put("v", VERSION);
    schedule.cronExpression().ifPresent(c -> root.put("cron", c));
    schedule.interval().ifPresent(i -> root.put("every", i.toString()));
    root.put("zone", schedule.zone().getId());
    root.put("missedTicks", schedule.missedTicks().name());
    root.put("misfireThreshold", schedule.misfireThreshold().toString());
    JobRequest job = schedule.job();
    ObjectNode j = root.putObject("job");
    j.put("owner", job.ownerId());
    j.put("type", job.type());
    j.put("payload", job.payload());
    if (job.priority() != null) {
      j.put("priority", job.priority());
    }
    if (job.maxAttempts() != null) {
      j.put("maxAttempts", job.maxAttempts());
    }
    j.put("useCache", job.useCache());
    ObjectNode meta = j.putObject("metadata");
    new java.util.TreeMap<>(job.metadata()).forEach(meta::put);
    try {
      return Json.mapper().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a schedule's definition could not be written", e);
    }
  }

  /**
   * {@return the schedule {@code name} that {@code definition} describes}
   *
   * @throws JobException the definition is not one this version reads
   */
  public static Schedule decode(String name, String definition) {
    try {
      JsonNode root = Json.mapper().readTree(definition);
      if (root.path("v").asInt() != VERSION) {
        throw new JobException("schedule " + name + " was saved by another version of asyncjobs (definition version "
            + root.path("v") + "); save it again with this one");
      }
      Schedule.Builder b = root.hasNonNull("cron")
          ? Schedule.cron(name, root.get("cron").asText())
          : Schedule.every(name, Duration.parse(root.get("every").asText()));
      JsonNode j = root.get("job");
      JobRequest.Builder job = JobRequest.builder(j.get("owner").asText(), j.get("type").asText())
          .payload(j.get("payload").asText())
          .useCache(j.path("useCache").asBoolean(false));
      if (j.hasNonNull("priority")) {
        job.priority(j.get("priority").asInt());
      }
      if (j.hasNonNull("maxAttempts")) {
        job.maxAttempts(j.get("maxAttempts").asInt());
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = j.path("metadata").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        job.metadata(e.getKey(), e.getValue().asText());
      }
      return b.zone(ZoneId.of(root.get("zone").asText()))
          .missedTicks(MissedTicks.valueOf(root.get("missedTicks").asText()))
          .misfireThreshold(Duration.parse(root.get("misfireThreshold").asText()))
          .job(job.build())
          .build();
    } catch (JsonProcessingException | RuntimeException e) {
      if (e instanceof JobException je) {
        throw je;
      }
      throw new JobException("schedule " + name + " has a definition this version cannot read: " + e.getMessage(), e);
    }
  }
}
