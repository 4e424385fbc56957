package dev.asyncjobs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.asyncjobs.testing.postgres.PostgresSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * SpringEnclosingTransaction on a real pool: outside a transaction it answers null without opening
 * a connection; inside one it returns that transaction's connection and leaves it open; in a
 * transaction of another DataSource it joins nothing.
 */
class SpringEnclosingTransactionTest {
  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema();

  /** The test pool, counting the connections asked of it. */
  static final class Counting extends DelegatingDataSource {
    final AtomicInteger opened = new AtomicInteger();

    Counting(DataSource target) {
      super(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
      opened.incrementAndGet();
      return super.getConnection();
    }
  }

  @Test
  void outsideATransactionItIsNullAndOpensNoConnection() {
    Counting ds = new Counting(schema.dataSource());
    assertThat(new SpringEnclosingTransaction(ds).current()).isNull();
    assertThat(ds.opened).hasValue(0);
  }

  @Test
  void insideATransactionItIsThatTransactionsConnectionLeftOpen() {
    Counting ds = new Counting(schema.dataSource());
    SpringEnclosingTransaction enclosing = new SpringEnclosingTransaction(ds);
    new TransactionTemplate(new DataSourceTransactionManager(ds)).executeWithoutResult(status -> {
      Connection c = enclosing.current();
      assertThat(c).isNotNull().isSameAs(DataSourceUtils.getConnection(ds));
      try {
        assertThat(c.getAutoCommit()).isFalse();
        assertThat(enclosing.current()).isSameAs(c); // asked again: the same, still open
        assertThat(c.isClosed()).isFalse();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(ds.opened).as("only the transaction manager's own connection").hasValue(1);
  }

  @Test
  void aTransactionOfAnotherDataSourceIsNotJoined() {
    Counting ours = new Counting(schema.dataSource());
    Counting other = new Counting(schema.dataSource());
    SpringEnclosingTransaction enclosing = new SpringEnclosingTransaction(ours);
    new TransactionTemplate(new DataSourceTransactionManager(other)).executeWithoutResult(status ->
        assertThat(enclosing.current()).as("our DataSource has no transaction here").isNull());
  }
}
