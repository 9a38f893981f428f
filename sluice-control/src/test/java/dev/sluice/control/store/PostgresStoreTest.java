package dev.sluice.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on a real PostgreSQL server (one per class, a fresh database per test), plus what only a
 * networked database has: credentials, a pool to close, a server that may be down.
 */
class PostgresStoreTest extends StoreContract {
    @RegisterExtension
    static final PostgresDatabases postgres = PostgresDatabases.perClass();

    @Override
    protected TestDatabase createDatabase() {
        return new PostgresDatabase(postgres.createDatabase());
    }

    @Test
    void migrationsMakeTheSameTablesAndColumnsAsOnH2(@TempDir Path h2) {
        SqlStore.h2(h2).close();
        org.h2.jdbcx.JdbcDataSource h2Connections = new org.h2.jdbcx.JdbcDataSource();
        h2Connections.setURL(H2Databases.url(h2));
        h2Connections.setUser("sluice");
        try {
            Set<String> onPostgres = columns(database.dataSource());
            assertThat(onPostgres).contains("events.id bigint not null", "deployments.restore_override text null",
                    "deployments.rolling_back boolean not null", "deployments.namespace varchar(63) not null");
            assertThat(columns(h2Connections)).isEqualTo(onPostgres);
        } finally {
            H2Databases.shutdown(h2);
        }
    }

    @Test
    void namesAndIdsUseTheBytewiseCollation() {
        List<String> collated = queryStrings(database.dataSource(), "SELECT table_name || '.' || column_name "
                + "FROM information_schema.columns WHERE table_schema = 'public' AND collation_name = 'C' "
                + "ORDER BY 1");

        assertThat(collated).containsExactly("deployments.name", "deployments.namespace", "events.name",
                "events.namespace", "snapshots.id", "snapshots.name", "snapshots.namespace", "versions.name",
                "versions.namespace");
    }

    @Test
    void aWrongPasswordFailsNamingTheUrlButNotThePassword() {
        String url = postgres.url(postgres.createDatabase());

        assertThatThrownBy(() -> SqlStore.postgres(url, PostgresDatabases.USER, "not-the-password-4711"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(url)
                .hasMessageContaining("password authentication failed")
                .hasMessageNotContaining("not-the-password-4711");
    }

    @Test
    void aDownDatabaseFailsSoonNamingTheUrlWithoutCredentials() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://localhost:" + closedPort + "/sluice?user=x&password=hunter2&ssl=false";

        long start = System.nanoTime();
        assertThatThrownBy(() -> SqlStore.postgres(url, PostgresDatabases.USER, "the-password", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jdbc:postgresql://localhost:" + closedPort + "/sluice?ssl=false")
                .hasMessageContaining("Connection to localhost:" + closedPort + " refused")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("the-password");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void closingTheStoreReleasesItsConnections() {
        String name = postgres.createDatabase();
        Store opened = SqlStore.postgres(postgres.url(name), PostgresDatabases.USER, PostgresDatabases.PASSWORD);
        assertThat(connectionsTo(name)).isBetween(1L, (long) SqlStore.POSTGRES_POOL_SIZE);

        opened.close();

        dropOnceClosed(name);
    }

    @Test
    void oneControlPlaneOwnsADatabaseUntilItCloses() {
        String name = postgres.createDatabase();
        String url = postgres.url(name);
        Store first = SqlStore.postgres(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
        first.lockAsOwner();
        first.lockAsOwner(); // again: a no-op for the owner

        Store second = SqlStore.postgres(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
        assertThatThrownBy(second::lockAsOwner).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another Sluice server uses this metadata database");

        // A server opening the database as its owner is refused before it migrates anything.
        assertThatThrownBy(() -> SqlStore.postgresOwned(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another Sluice server uses this metadata database");

        first.close();
        second.lockAsOwner();
        second.close();
        SqlStore.postgresOwned(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD).close();
        dropOnceClosed(name);
    }

    @Test
    void anOwnerWhoseSessionEndedTakesTheLockAgainUnlessAnotherServerHasIt() {
        String name = postgres.createDatabase();
        String url = postgres.url(name);
        Store first = SqlStore.postgresOwned(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
        Store second = SqlStore.postgres(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
        Store reader = SqlStore.postgres(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
        assertThat(first.confirmOwner()).as("a live session keeps its lock").isFalse();
        assertThat(reader.confirmOwner()).as("a store not opened as owner has nothing to confirm").isFalse();

        // The database dropped the owner's session (a restart, a network cut): the owner takes the lock again.
        assertThat(postgres.endOwnerLockSession(name)).isEqualTo(1);
        assertThat(first.confirmOwner()).isTrue();
        assertThatThrownBy(second::lockAsOwner).hasMessageContaining("another Sluice server uses this metadata database");

        // It goes again, and another server is quicker: the first must not go on as if it still owned the database.
        assertThat(postgres.endOwnerLockSession(name)).isEqualTo(1);
        second.lockAsOwner();
        assertThatThrownBy(first::confirmOwner).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another Sluice server uses this metadata database");
        assertThatThrownBy(first::confirmOwner).as("asking again does not make it the owner")
                .hasMessageContaining("another Sluice server uses this metadata database");

        second.close();
        assertThat(first.confirmOwner()).isTrue();
        assertThat(first.confirmOwner()).isFalse();
        first.close();
        reader.close();
        dropOnceClosed(name);
    }

    @Test
    void anOwnerThatLostTouchWithItsLiveSessionEndsItAndTakesTheLockAgain() {
        String name = postgres.createDatabase();
        String url = postgres.url(name);
        SqlStore first = SqlStore.postgresOwned(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
        // The connection stops answering (a stalled network) while its session lives on at the server, lock and all:
        // the lock is this process's own, not another server's.
        first.loseOwnerConnection();
        assertThat(first.confirmOwner()).isTrue();
        assertThat(first.confirmOwner()).isFalse();
        Store second = SqlStore.postgres(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
        assertThatThrownBy(second::lockAsOwner).hasMessageContaining("another Sluice server uses this metadata database");
        second.close();
        first.close();
        dropOnceClosed(name);
    }

    /** Drops a database once every store on it has closed its connections (a pool closes them in the background). */
    private static void dropOnceClosed(String database) {
        await().atMost(Duration.ofSeconds(20)).until(() -> connectionsTo(database) == 0);
        postgres.dropDatabase(database);
    }

    private static long connectionsTo(String database) {
        return queryLong(postgres.superuser(),
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '" + database + "'");
    }

    /** Every column of Sluice's tables as "table.column type null|not null", types named alike on both databases. */
    private static Set<String> columns(DataSource ds) {
        String sql = "SELECT table_name, column_name, data_type, is_nullable, character_maximum_length "
                + "FROM information_schema.columns "
                + "WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history'";
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            Set<String> columns = new TreeSet<>();
            while (rs.next()) {
                columns.add(rs.getString(1).toLowerCase() + "." + rs.getString(2).toLowerCase() + " "
                        + type(rs.getString(3), rs.getObject(5) == null ? null : rs.getLong(5))
                        + (rs.getString(4).equals("YES") ? " null" : " not null"));
            }
            return columns;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** H2 (PostgreSQL mode) makes TEXT a VARCHAR of its greatest length; the rest differs only in case. */
    private static String type(String dataType, Long maxLength) {
        String type = dataType.toLowerCase();
        if (type.equals("character varying")) {
            return maxLength == null || maxLength >= 1_000_000_000L ? "text" : "varchar(" + maxLength + ")";
        }
        return type;
    }

    /** A database on the class's server, reached as the password-protected role. */
    private static final class PostgresDatabase implements TestDatabase {
        private final String name;
        private final List<Store> stores = new ArrayList<>();

        PostgresDatabase(String name) {
            this.name = name;
        }

        @Override
        public Store open() {
            Store store = SqlStore.postgres(postgres.url(name), PostgresDatabases.USER, PostgresDatabases.PASSWORD);
            stores.add(store);
            return store;
        }

        @Override
        public DataSource dataSource() {
            return postgres.dataSource(name);
        }

        @Override
        public void restart() {
            stores.forEach(Store::close);
            stores.clear();
        }

        @Override
        public void close() {
            restart();
            postgres.dropDatabase(name); // fails if a store left a connection open
        }
    }
}
