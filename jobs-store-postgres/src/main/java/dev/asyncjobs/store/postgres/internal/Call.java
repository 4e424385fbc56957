package dev.asyncjobs.store.postgres.internal;

import org.jspecify.annotations.Nullable;

/**
 * How one store operation talks to the database: its name (for messages), whether a failure of
 * unknown outcome may be retried, whether it needs a transaction, and which owner it is scoped to.
 *
 * @param name the operation, e.g. {@code claim}
 * @param idempotent whether running it twice is harmless, so that it may be retried after the
 *     connection broke mid-statement (failures that certainly rolled back are retried regardless)
 * @param transaction whether its statements must run in one transaction
 * @param owner the owner whose rows it touches, set as {@code asyncjobs.owner_id} for row-level
 *     security; null when it is not owner-scoped
 * @param jsonField the request field a malformed JSON value would come from
 */
public record Call(String name, boolean idempotent, boolean transaction, @Nullable String owner, @Nullable String jsonField) {

  /** A single-statement operation that may run twice. */
  public static Call idempotent(String name) {
    return new Call(name, true, false, null, null);
  }

  /** A single-statement operation whose repetition would be visible. */
  public static Call once(String name) {
    return new Call(name, false, false, null, null);
  }

  /** This call in one transaction. */
  public Call inTransaction() {
    return new Call(name, idempotent, true, owner, jsonField);
  }

  /** This call scoped to {@code ownerId}. */
  public Call forOwner(@Nullable String ownerId) {
    return new Call(name, idempotent, transaction, ownerId, jsonField);
  }

  /** This call, whose malformed JSON comes from {@code field}. */
  public Call json(String field) {
    return new Call(name, idempotent, transaction, owner, field);
  }
}
