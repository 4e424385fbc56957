package dev.asyncjobs.testing.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** On the test server: JOBS_TEST_JDBC_URL, else the embedded one. */
class PostgresSchemaTest {
  @RegisterExtension
  static final PostgresSchema schema = new PostgresSchema();

  @Test
  void theExtensionGivesTheClassAnEmptySchemaOfItsOwn() {
    assertThat(schema.name()).startsWith("t_").hasSize(18);
    assertThat(schema.column("SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema.name() + "'"))
        .isEmpty();
    schema.execute("CREATE TABLE " + schema.table("things") + " (id int, label text)",
        "INSERT INTO " + schema.table("things") + " VALUES (1, 'one'), (2, NULL)");
    assertThat(schema.number("SELECT count(*) FROM " + schema.table("things"))).isEqualTo(2);
    assertThat(schema.rows("SELECT id, label FROM " + schema.table("things") + " ORDER BY id"))
        .containsExactly(java.util.Arrays.asList("1", "one"), java.util.Arrays.asList("2", null));
    assertThat(schema.value("SELECT label FROM " + schema.table("things") + " WHERE id = 2")).isNull();
    assertThatThrownBy(() -> schema.value("SELECT id FROM " + schema.table("things")))
        .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("returned 2 rows");
  }

  @Test
  void anOpenedSchemaIsDroppedOnClose() throws Exception {
    String name;
    try (PostgresSchema own = new PostgresSchema(null, "own", 2, Duration.ofSeconds(5)).open()) {
      name = own.name();
      assertThat(name).startsWith("own_");
      assertThat(own.server()).isEqualTo(TestPostgres.server());
    }
    try (Connection c = TestPostgres.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + name + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }

  @Test
  void aServerNamesAnotherDatabaseOrUser() {
    TestPostgres.Server s = new TestPostgres.Server("jdbc:postgresql://db:5432/app?ssl=false", "u", "p", "test");
    assertThat(s.withDatabase("other").url()).isEqualTo("jdbc:postgresql://db:5432/other?ssl=false");
    assertThat(s.withUser("web", "w")).isEqualTo(new TestPostgres.Server(s.url(), "web", "w", "test"));
    assertThatThrownBy(() -> new PostgresSchema(null, "Bad-Prefix", 1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
