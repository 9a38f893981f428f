package dev.sluice.control.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Opens and shuts down the H2 file database that {@link SqlStore#h2} keeps under a directory. */
public final class H2Databases {
    private H2Databases() {}

    /** The same URL {@link SqlStore#h2} uses, so a connection reaches the same open database. */
    public static String url(Path directory) {
        return "jdbc:h2:file:" + directory.toAbsolutePath().resolve("sluice")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1;WRITE_DELAY=0";
    }

    /** Closes the database like a crash would ({@code SHUTDOWN IMMEDIATELY}): nothing is flushed on the way out. */
    public static void crash(Path directory) {
        execute(directory, "SHUTDOWN IMMEDIATELY");
    }

    /** Closes the database cleanly, so that the next {@link SqlStore#h2} reads it back from its file. */
    public static void shutdown(Path directory) {
        execute(directory, "SHUTDOWN");
    }

    /** Runs one query that returns a single number, such as a row count. */
    public static long queryLong(Path directory, String sql) {
        try (Connection c = DriverManager.getConnection(url(directory), "sluice", "");
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one statement with parameters, such as writing what an earlier release stored. */
    public static void update(Path directory, String sql, Object... parameters) {
        try (Connection c = DriverManager.getConnection(url(directory), "sluice", "");
                var s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(Path directory, String sql) {
        try (Connection c = DriverManager.getConnection(url(directory), "sluice", "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
