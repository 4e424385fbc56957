package dev.asyncjobs.spring.boot;

import dev.asyncjobs.EnclosingTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The calling thread's Spring-managed transaction on one {@link DataSource}, for {@link
 * dev.asyncjobs.JobManager.Builder#enclosingTransaction}: inside a {@code @Transactional} method (or
 * a {@code TransactionTemplate}) it returns the connection of that transaction, so that {@code
 * jobs.create(...)} commits and rolls back with the rest of the method's work; outside one it
 * returns null and the create commits on its own.
 *
 * <p>It asks Spring only: {@link TransactionSynchronizationManager#isActualTransactionActive()}
 * first, so that no connection is opened when there is no transaction, then {@link
 * DataSourceUtils#getConnection(DataSource)}, which returns the connection the transaction
 * manager bound to the thread. The connection stays Spring's: it is neither closed nor released
 * here, and the transaction manager releases it when the transaction ends. A transaction that
 * holds no connection of this DataSource (one of another DataSource, say) is not joined: the
 * connection Spring would then hand out is in auto-commit, and the create commits on its own.
 *
 * <p>The auto-configuration defines one on the application's DataSource when the store is the
 * PostgreSQL store it configured; define one yourself, on the DataSource of your own {@code
 * PostgresJobStore} bean, when you replace the store.
 */
public final class SpringEnclosingTransaction implements EnclosingTransaction {
  private final DataSource dataSource;

  /**
   * Joins Spring's transactions on {@code dataSource}.
   *
   * @param dataSource the DataSource of the store and of the transactions to join
   */
  public SpringEnclosingTransaction(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * {@return the connection of the calling thread's Spring transaction on the DataSource, or null
   * when the thread is in none}
   *
   * @throws org.springframework.jdbc.CannotGetJdbcConnectionException the transaction's connection
   *     cannot be had
   */
  @Override
  public @Nullable Connection current() {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      return null;
    }
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      if (connection.getAutoCommit()) {
        // Not this DataSource's transaction: DataSourceUtils bound a fresh connection to the
        // thread, which Spring releases when the transaction ends. Nothing is written through it.
        return null;
      }
    } catch (SQLException e) {
      throw new org.springframework.jdbc.CannotGetJdbcConnectionException("cannot read the auto-commit mode of the"
          + " transaction's connection", e);
    }
    return connection;
  }

  /** {@return the DataSource whose transactions this joins} */
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public String toString() {
    return "SpringEnclosingTransaction[" + dataSource + "]";
  }
}
