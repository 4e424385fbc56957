package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.spi.ScheduleRecord;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The statements on the schedules table (V17): a read of all, an upsert that keeps an unchanged
 * definition's next run, a delete, and the compare-and-set that moves a tick on.
 */
public final class ScheduleTable {
  private final String allSql;
  private final String oneSql;
  private final String saveSql;
  private final String removeSql;
  private final String advanceSql;

  /** The statements on {@code names}' schedules table. */
  public ScheduleTable(SchemaNames names) {
    this.allSql = names.sql("SELECT name, definition, next_run_at, state FROM {schedules} ORDER BY name");
    this.oneSql = names.sql("SELECT name, definition, next_run_at, state FROM {schedules} WHERE name = :name");
    // An unchanged definition keeps its row (the update's WHERE skips it), so RETURNING is empty
    // then and the row is read again.
    this.saveSql = names.sql(
        "INSERT INTO {schedules} (name, definition, next_run_at, state, updated_at) VALUES (:name, :definition, :next, NULL, :now)"
            + " ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, next_run_at = excluded.next_run_at,"
            + " state = NULL, updated_at = excluded.updated_at"
            + " WHERE {schedules}.definition IS DISTINCT FROM excluded.definition");
    this.removeSql = names.sql("DELETE FROM {schedules} WHERE name = :name");
    this.advanceSql = names.sql(
        "UPDATE {schedules} SET next_run_at = :to, state = :state, updated_at = :now WHERE name = :name AND next_run_at = :from");
  }

  /** {@return every schedule, in name order} */
  public List<ScheduleRecord> all(Handle h) {
    return h.createQuery(allSql).map(ScheduleTable::row).list();
  }

  /** Stores a new or changed schedule; returns the row as it is now. */
  public ScheduleRecord save(Handle h, String name, String definition, Instant next, Instant now) {
    h.createUpdate(saveSql).bind("name", name).bind("definition", definition).bind("next", Binds.instant(next))
        .bind("now", Binds.instant(now)).execute();
    return h.createQuery(oneSql).bind("name", name).map(ScheduleTable::row).findOne()
        .orElseThrow(() -> new IllegalStateException("schedule " + name + " vanished while it was saved"));
  }

  private static ScheduleRecord row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
      throws java.sql.SQLException {
    return new ScheduleRecord(rs.getString(1), rs.getString(2), JobRows.instant(rs, 3), rs.getString(4));
  }

  /** Deletes one; returns whether there was one. */
  public boolean remove(Handle h, String name) {
    return h.createUpdate(removeSql).bind("name", name).execute() > 0;
  }

  /** Moves one on if its next run is still {@code from}; returns whether it did. */
  public boolean advance(Handle h, String name, Instant from, Instant to, @Nullable String state, Instant now) {
    return h.createUpdate(advanceSql).bind("name", name).bind("from", Binds.instant(from)).bind("to", Binds.instant(to))
        .bind("state", state).bind("now", Binds.instant(now)).execute() > 0;
  }
}
