package dev.asyncjobs.store.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens the connection the listener keeps for LISTEN: one that no pool will hand to anyone else. */
@FunctionalInterface
public interface ListenerConnector {
  /** A new connection; the caller closes it. */
  Connection connect() throws SQLException;
}
