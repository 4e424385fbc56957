package dev.asyncjobs.bench.internal;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * db-scheduler in pg-peers: a {@link OneTimeTask} whose body only tells the probe its instance id
 * (the sequence number; no task data, so no serialisation). Batch enqueue through a
 * {@link SchedulerClient}'s {@code scheduleBatch}; single creates through the running {@link
 * Scheduler} itself, so that immediate execution, where enabled, can wake it. Deletes an execution
 * when it completes: a drained table is empty.
 */
final class DbSchedulerPeer implements PeerLibrary {
  static final String VERSION = "16.12.0";
  static final int THREADS = 16;
  /**
   * pollUsingLockAndFetch's fractions of the threads: its README's setting "for high throughput (i.e.
   * keep threads busy)", fetch again at 16 left, up to 64 held; with its "normal" 0.5, 1.0, --quick
   * drains here ran at about half the rate.
   */
  static final double LOWER = 1.0;
  static final double UPPER = 4.0;
  /** The tuned poll interval: asyncjobs' default; immediate execution makes it a fallback too. */
  static final Duration TUNED_POLL = Duration.ofSeconds(1);
  private static final String TABLE = "scheduled_tasks";
  private static final String DDL = "/db-scheduler/postgresql_tables.sql";

  private final BenchSchema schema;
  private final OneTimeTask<Void> task;
  private final SchedulerClient client;

  DbSchedulerPeer(PgServer server, int poolSize, StartProbe probe) throws Exception {
    BenchSchema s = server.newSchema("pg-peers-dbscheduler", poolSize);
    try {
      createTable(server, s.name());
      this.task = Tasks.oneTime("noop").execute((instance, context) -> probe.started(Integer.parseInt(instance.getId())));
      this.client = SchedulerClient.Builder.create(s.pool(), task).tableName(s.table(TABLE)).build();
    } catch (Exception | Error e) {
      s.close();
      throw e;
    }
    this.schema = s;
  }

  /** Runs the DDL of the same release (not in its jar) in the schema, on a connection of its own. */
  private static void createTable(PgServer server, String schemaName) throws Exception {
    String ddl;
    try (InputStream in = DbSchedulerPeer.class.getResourceAsStream(DDL)) {
      if (in == null) {
        throw new IOException(DDL + " is missing from the bench jar");
      }
      ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      st.execute("SET search_path TO " + schemaName);
      st.execute(ddl);
    }
  }

  @Override
  public String name() {
    return "db-scheduler " + VERSION;
  }

  @Override
  public BenchSchema schema() {
    return schema;
  }

  @Override
  public void reset() throws Exception {
    schema.execute("TRUNCATE " + schema.table(TABLE));
    settle();
  }

  @Override
  public void settle() throws Exception {
    schema.settle(TABLE);
  }

  @Override
  public void enqueue(int first, int count, int batch) {
    Instant now = Instant.now();
    for (int done = 0; done < count; ) {
      int n = Math.min(batch, count - done);
      List<TaskInstance<?>> instances = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        instances.add(task.instance(Integer.toString(first + done + i)));
      }
      client.scheduleBatch(instances, now);
      done += n;
    }
  }

  @Override
  public Workers start(boolean tuned) {
    SchedulerBuilder b = Scheduler.create(schema.pool(), task).tableName(schema.table(TABLE));
    if (tuned) {
      b.threads(THREADS).pollUsingLockAndFetch(LOWER, UPPER).pollingInterval(TUNED_POLL).enableImmediateExecution();
    }
    Scheduler scheduler = b.build();
    scheduler.start();
    return new Workers() {
      @Override
      public void create(int seq) {
        scheduler.scheduleIfNotExists(task.instance(Integer.toString(seq)), Instant.now());
      }

      @Override
      public void close() {
        scheduler.stop();
      }
    };
  }

  @Override
  public Duration idleWait(boolean tuned) {
    return tuned ? Duration.ZERO : SchedulerBuilder.DEFAULT_POLLING_INTERVAL;
  }

  @Override
  public String unfinished() {
    // A one-time execution is completed by deleting its row: the table empties as the drain ends.
    return "SELECT CASE WHEN EXISTS (SELECT 1 FROM " + schema.table(TABLE) + ") THEN 1 ELSE 0 END";
  }

  @Override
  public void checkFinished(int n) throws Exception {
    long left = schema.count("SELECT count(*) FROM " + schema.table(TABLE));
    if (left != 0) {
      throw new IllegalStateException(name() + ": " + left + " executions left of " + n);
    }
  }

  @Override
  public void close() throws SQLException {
    schema.close();
  }
}
