package dev.sluice.control.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded H2 file database, plus what only H2 must survive: a crash of the database. */
class H2StoreTest extends StoreContract {
    @TempDir
    Path dir;

    private int databases;

    @Override
    protected TestDatabase createDatabase() {
        return new H2Database(dir.resolve("db-" + ++databases));
    }

    @Test
    void everythingSurvivesACrashAndAReopen() {
        DeploymentRow row = writeADeploymentWithHistory();

        // No clean close: each commit must already be on disk (WRITE_DELAY=0).
        H2Databases.crash(((H2Database) database).directory);
        Store reopened = database.open();

        assertHistoryReadsBack(reopened, row);
    }

    /** An H2 database under a directory; it stays open in this JVM until shut down, as in the server. */
    private static final class H2Database implements TestDatabase {
        final Path directory;
        private final List<Store> stores = new ArrayList<>();

        H2Database(Path directory) {
            this.directory = directory;
        }

        @Override
        public Store open() {
            Store store = SqlStore.h2(directory);
            stores.add(store);
            return store;
        }

        @Override
        public DataSource dataSource() {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(H2Databases.url(directory));
            ds.setUser("sluice");
            return ds;
        }

        @Override
        public void restart() {
            stores.forEach(Store::close);
            stores.clear();
            H2Databases.shutdown(directory);
        }

        @Override
        public void close() {
            restart();
        }
    }
}
