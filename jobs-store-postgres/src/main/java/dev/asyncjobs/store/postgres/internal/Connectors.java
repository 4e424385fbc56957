package dev.asyncjobs.store.postgres.internal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;

/** Ways to open the listener's own connection, outside any pool. */
public final class Connectors {
  private static final String APPLICATION_NAME = "asyncjobs-listener";

  private Connectors() {}

  /** Plain driver connections to {@code url}. */
  public static ListenerConnector jdbc(String url, @Nullable String user, @Nullable String password, Properties extra) {
    Driver driver = new Driver();
    return () -> {
      Properties props = new Properties();
      props.putAll(extra);
      if (user != null) {
        props.setProperty("user", user);
      }
      if (password != null) {
        props.setProperty("password", password);
      }
      props.setProperty("ApplicationName", APPLICATION_NAME);
      props.setProperty("tcpKeepAlive", "true");
      Connection c = driver.connect(url, props);
      if (c == null) {
        throw new SQLException("not a PostgreSQL JDBC URL: " + url, "08001");
      }
      return c;
    };
  }

  /**
   * For a host's data source: a plain connection with the same settings when it is a Hikari pool
   * configured by JDBC URL (so that the listener never occupies a pooled connection), else a
   * connection of the data source itself, held for as long as the listener runs.
   */
  public static ListenerConnector forDataSource(DataSource dataSource) {
    if (dataSource instanceof HikariDataSource) {
      HikariDataSource h = (HikariDataSource) dataSource;
      if (h.getJdbcUrl() != null && h.getJdbcUrl().startsWith("jdbc:postgresql:")) {
        return jdbc(h.getJdbcUrl(), h.getUsername(), h.getPassword(), h.getDataSourceProperties());
      }
    }
    return dataSource::getConnection;
  }
}
