package dev.airlock.server;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The two ways the server touches its own tables: a unit of work in one transaction, and a
 * query. A database failure becomes an {@link IllegalStateException} with the driver's reason.
 */
public final class Sql {
  private Sql() {}

  /** Work on one connection, committed together or rolled back on any failure. */
  public interface Work {
    void run(Connection c) throws SQLException;
  }

  public interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  public interface Reader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  public static void inTransaction(DataSource db, Work work) {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try {
        work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  public static <T> T query(DataSource db, String sql, Binder binder, Reader<T> reader) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        return reader.read(rs);
      }
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private static IllegalStateException failed(SQLException e) {
    return new IllegalStateException("the appliance database failed: " + e.getMessage(), e);
  }
}
