package dev.asyncjobs.store.postgres.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Where one store's objects live: the schema and the table prefix, and every name derived from
 * them (tables, notification channel, advisory-lock keys). Both parts are validated identifiers,
 * so they are pasted into SQL text without quoting.
 *
 * @param schema the schema, e.g. {@code public}
 * @param prefix prefix of every table, index and function name; may be empty
 */
public record SchemaNames(String schema, String prefix) {
  /** What a schema name may be: a lowercase SQL identifier that needs no quoting. */
  public static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  /** What a table prefix may be: empty or the start of a lowercase identifier, short enough for the longest name. */
  public static final Pattern PREFIX = Pattern.compile("([a-z_][a-z0-9_]{0,29})?");

  /** The jobs table, qualified. */
  public String jobs() {
    return schema + "." + prefix + "jobs";
  }

  /** The quota ledger table, qualified. */
  public String ledger() {
    return schema + "." + prefix + "jobs_quota_ledger";
  }

  /** The event log table, qualified. */
  public String events() {
    return schema + "." + prefix + "jobs_events";
  }

  /** The limits table (bounds, pauses, back-offs by name), qualified. */
  public String limits() {
    return schema + "." + prefix + "jobs_limits";
  }

  /** The ledger of starts and units that limits count, qualified. */
  public String limitLedger() {
    return schema + "." + prefix + "jobs_limit_ledger";
  }

  /** The ledger of what budgeted jobs count against their owners' budgets, qualified. */
  public String budgetLedger() {
    return schema + "." + prefix + "jobs_budget_ledger";
  }

  /** The sequence that numbers the event log, qualified. */
  public String eventsSequence() {
    return schema + "." + prefix + "jobs_events_seq";
  }

  /** The one-row table that says how far the event log is pruned, qualified. */
  public String eventsPruned() {
    return schema + "." + prefix + "jobs_events_pruned";
  }

  /** A function of the schema ({@code jobs_events_horizon}, …), qualified and prefixed. */
  public String function(String name) {
    return schema + "." + prefix + name;
  }

  /** The table in which migrations record themselves, qualified. */
  public String versionTable() {
    return schema + "." + prefix + "jobs_schema_version";
  }

  /** The jobs table name without schema, as {@code to_regclass} and the notify trigger see it. */
  public String jobsTableName() {
    return prefix + "jobs";
  }

  /**
   * The channel of the store's wake-up hints (and of the notify triggers up to V3):
   * {@code schema.table}, or {@code asyncjobs_<md5>} when that exceeds PostgreSQL's 63-byte
   * identifier limit.
   */
  public String channel() {
    String channel = schema + "." + jobsTableName();
    byte[] bytes = channel.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= 63) {
      return channel;
    }
    try {
      return "asyncjobs_" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JDK", e);
    }
  }

  /** The text that names this store's tables in advisory-lock keys ({@code hashtext} of it). */
  public String lockName() {
    return jobs();
  }

  /** {@return the schedules table} */
  public String schedules() {
    return schema + "." + prefix + "jobs_schedules";
  }

  /**
   * {@code template} with {@code {jobs}}, {@code {ledger}}, {@code {events}}, {@code {pruned}},
   * {@code {limits}}, {@code {limitLedger}} and {@code {budgetLedger}} replaced by the qualified tables.
   */
  public String sql(String template) {
    return template.replace("{jobs}", jobs()).replace("{ledger}", ledger()).replace("{events}", events())
        .replace("{pruned}", eventsPruned()).replace("{limits}", limits()).replace("{limitLedger}", limitLedger())
        .replace("{budgetLedger}", budgetLedger()).replace("{schedules}", schedules());
  }

  /** A migration script with its {@code ${schema}} and {@code ${prefix}} placeholders replaced. */
  public String substitute(String script) {
    return script.replace("${schema}", schema).replace("${prefix}", prefix);
  }
}
