package dev.airlock.server.vocabulary;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The two ways the server touches its own tables: a unit of work in one transaction, and a
 * query. A database failure becomes a {@link ServerFailure} (500) with the driver's reason.
 *
 * <p>The unit of work is how every state change commits with its audit record: the change's
 * statements and {@code audit.append(record)} run inside {@link #inTransaction}; the append is
 * durable before the commit, and a failed append (or any failure) rolls the change back. So a
 * change is never made without its record. A record whose change then fails to commit remains,
 * describing a change that was not made: the direction that never hides anything.
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

  private static ServerFailure failed(SQLException e) {
    return new ServerFailure("the appliance database failed: " + e.getMessage(), e);
  }
}
