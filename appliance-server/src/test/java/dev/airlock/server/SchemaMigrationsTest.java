package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class SchemaMigrationsTest {
  @Test
  void migratesAFreshH2DatabaseAndIsIdempotent() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
    assertMigratesAndIsIdempotent(h2, "public");
  }

  @Test
  void migratesAFreshPostgresSchemaAndIsIdempotent() throws Exception {
    PostgresTestDatabase.Endpoint pg = PostgresTestDatabase.require();
    String schema = "airlock_test_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    try {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setUrl(pg.url());
      ds.setUser(pg.user());
      ds.setPassword(pg.password());
      ds.setCurrentSchema(schema);
      assertMigratesAndIsIdempotent(ds, schema);
    } finally {
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  private static void assertMigratesAndIsIdempotent(DataSource ds, String schema) throws Exception {
    var first = SchemaMigrations.migrate(ds);
    assertThat(first.success).isTrue();
    assertThat(first.migrationsExecuted).isPositive();
    assertThat(tables(ds, schema)).contains("appliance_instance", "flyway_schema_history");

    var second = SchemaMigrations.migrate(ds);
    assertThat(second.migrationsExecuted).isZero();
  }

  private static List<String> tables(DataSource ds, String schema) throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = ds.getConnection();
         ResultSet rs = c.getMetaData().getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) names.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
    }
    return names;
  }
}
