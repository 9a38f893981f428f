package dev.sluice.control.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Phase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.ArgumentFactory;
import org.jdbi.v3.core.mapper.reflect.FieldMapper;

/**
 * The metadata store's adapter for H2 (embedded) and PostgreSQL: deployments, versions, snapshots and events through
 * JDBI, with the same Flyway migrations. Every write is one transaction and is durable when the call returns, so intent written before an
 * action survives a crash.
 *
 * <p>Migrations live in {@code db/migration} (both databases) and {@code db/vendor/h2} or
 * {@code db/vendor/postgresql} (one database only); a version number is used once across all three folders.
 */
public final class SqlStore implements Store {
    /** How long opening a PostgreSQL store waits for the database before it fails, naming the URL. */
    public static final Duration POSTGRES_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Connections to PostgreSQL: the reconciler, the API and the metrics each hold one at most briefly; one more holds
     * the owner lock.
     */
    static final int POSTGRES_POOL_SIZE = 5;

    /** Conditions on a row {@code l} of pg_locks: the owner lock, granted. */
    static final String OWNER_LOCK_GRANTED = OwnerLock.GRANTED;

    private static final String DEPLOYMENT_COLUMNS = "namespace, name, uid, labels, desired_state, spec_version, phase, "
            + "running_version, job_id, job_attempt, restored_from, error, has_state, pending_snapshot, restore_override, last_stable_version, rolling_back, "
            + "version_started_at, restarts, last_restart_at, records_in, "
            + "records_out, created_at, updated_at, transition_at";

    private final Jdbi jdbi;
    private final DataSource dataSource;
    private final Runnable onClose;
    private final OwnerLock ownerLock;
    private final Deployments deployments = new Deployments();
    private final Versions versions = new Versions();
    private final Snapshots snapshots = new Snapshots();
    private final Events events = new Events();

    public SqlStore(DataSource dataSource) {
        this(dataSource, () -> {});
    }

    private SqlStore(DataSource dataSource, Runnable onClose) {
        this(dataSource, onClose, null);
    }

    /** With {@code ownerLock}, a session holding the owner lock: taken before the migrations run. */
    private SqlStore(DataSource dataSource, Runnable onClose, OwnerLock.Session ownerLock) {
        this.ownerLock = new OwnerLock(dataSource, ownerLock);
        Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:db/vendor/" + vendor(dataSource))
                .load().migrate();
        this.jdbi = withWireEnums(Jdbi.create(dataSource));
        this.dataSource = dataSource;
        this.onClose = onClose;
    }

    /**
     * Makes this process the only control plane on a shared database: on PostgreSQL a session-level advisory lock,
     * held on a connection of its own until {@link #close} (the database drops it when the process dies, kill -9
     * included). H2 needs none: its data directory is locked by the server.
     *
     * @throws IllegalStateException when another process holds it
     */
    @Override
    public void lockAsOwner() {
        ownerLock.lock(vendor(dataSource));
    }

    /**
     * Checks, before the control plane acts, that this process still owns the database (see {@link #lockAsOwner}). A
     * database restart or a dropped connection ends the session and its lock without a word; then the lock is taken
     * again on a new connection, unless another server took it meanwhile.
     *
     * @return true when the lock had been lost and was taken again
     * @throws IllegalStateException when another process holds the lock now, or the database cannot be reached
     */
    @Override
    public boolean confirmOwner() {
        return ownerLock.confirm();
    }

    /** For tests: this process loses touch with the session holding its lock, which lives on at the server. */
    void loseOwnerConnection() {
        ownerLock.loseConnection();
    }

    /** An embedded H2 database in PostgreSQL mode under {@code directory}. */
    public static SqlStore h2(Path directory) {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        // WRITE_DELAY=0: a commit reaches the file before the call returns (kill -9 must not lose intent).
        ds.setURL("jdbc:h2:file:" + directory.toAbsolutePath().resolve("sluice")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1;WRITE_DELAY=0");
        ds.setUser("sluice");
        ds.setPassword("");
        return new SqlStore(ds);
    }

    /**
     * A PostgreSQL database reached through a small connection pool, migrated before this returns. Fails after
     * {@link #POSTGRES_CONNECT_TIMEOUT} if the database cannot be reached; the error names the URL, never the password.
     */
    public static SqlStore postgres(String jdbcUrl, String user, String password) {
        return postgres(jdbcUrl, user, password, POSTGRES_CONNECT_TIMEOUT);
    }

    /**
     * As {@link #postgres(String, String, String)} for the control plane that owns the database: the owner lock (see
     * {@link #lockAsOwner}) is taken before anything else, migrations included, so a second server changes nothing.
     */
    public static SqlStore postgresOwned(String jdbcUrl, String user, String password) {
        return postgres(jdbcUrl, user, password, POSTGRES_CONNECT_TIMEOUT, true);
    }

    static SqlStore postgres(String jdbcUrl, String user, String password, Duration connectTimeout) {
        return postgres(jdbcUrl, user, password, connectTimeout, false);
    }

    private static SqlStore postgres(String jdbcUrl, String user, String password, Duration connectTimeout,
            boolean owned) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("sluice-store");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(connectTimeout.toMillis());
        // Fail the start, not the first request, when the database is down.
        config.setInitializationFailTimeout(connectTimeout.toMillis());
        // The driver's own TCP connect timeout (seconds); a connectTimeout in the URL wins.
        config.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, connectTimeout.toSeconds())));
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the PostgreSQL metadata store "
                    + JdbcUrls.withoutCredentials(jdbcUrl) + ": " + driverMessage(e), e);
        }
        OwnerLock.Session lock = null;
        try {
            lock = owned ? OwnerLock.take(pool) : null;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        try {
            return new SqlStore(pool, pool::close, lock);
        } catch (RuntimeException e) {
            OwnerLock.closeQuietly(lock == null ? null : lock.connection());
            pool.close();
            throw new IllegalStateException("cannot migrate the PostgreSQL metadata store "
                    + JdbcUrls.withoutCredentials(jdbcUrl) + ": " + e.getMessage(), e);
        }
    }

    /** Closes the connection pool (PostgreSQL); an H2 database stays open for the next store on its directory. */
    @Override
    public synchronized void close() {
        ownerLock.release();
        onClose.run();
    }

    private static String vendor(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            return switch (product) {
                case "H2" -> "h2";
                case "PostgreSQL" -> "postgresql";
                default -> throw new IllegalArgumentException("unsupported metadata database: " + product);
            };
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the metadata database: " + e.getMessage(), e);
        }
    }

    /** The driver's own words (which name host and port), else the innermost cause's. */
    private static String driverMessage(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                return t.getMessage();
            }
            root = t;
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Runs several writes as one transaction. */
    @Override
    public void inTransaction(Consumer<Tx> work) {
        jdbi.useTransaction(h -> work.accept(new SqlTx(h)));
    }

    /** Phases and desired states are stored as their wire names ("rolling-back"), as the API shows them. */
    private static Jdbi withWireEnums(Jdbi jdbi) {
        wireEnum(jdbi, Phase.class, Phase::wire, Phase::parse);
        wireEnum(jdbi, DesiredState.class, DesiredState::wire, DesiredState::parse);
        return jdbi;
    }

    private static <E extends Enum<E>> void wireEnum(Jdbi jdbi, Class<E> type, Function<E, String> wire,
            Function<String, E> parse) {
        jdbi.registerArgument((ArgumentFactory) (declared, value, config) -> {
            if (declared != type && !type.isInstance(value)) {
                return Optional.empty();
            }
            String text = value == null ? null : wire.apply(type.cast(value));
            return Optional.of((position, statement, ctx) -> statement.setString(position, text));
        });
        jdbi.registerColumnMapper(type, (rs, column, ctx) -> {
            String value = rs.getString(column);
            return value == null ? null : parse.apply(value);
        });
    }

    @Override
    public DeploymentRepository deployments() {
        return deployments;
    }

    @Override
    public VersionRepository versions() {
        return versions;
    }

    @Override
    public SnapshotRepository snapshots() {
        return snapshots;
    }

    @Override
    public EventRepository events() {
        return events;
    }

    private static Handle handle(Tx tx) {
        return ((SqlTx) tx).handle();
    }

    /** A transaction of this store: a JDBI handle inside one database transaction. */
    private record SqlTx(Handle handle) implements Tx {}

    private final class Deployments implements DeploymentRepository {

        @Override
        public Optional<DeploymentRow> find(DeploymentKey key) {
            return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployments WHERE namespace = :ns AND name = :name")
                    .bind("ns", key.namespace()).bind("name", key.name())
                    .map(FieldMapper.of(DeploymentRow.class)).findOne());
        }

        @Override
        public List<DeploymentRow> list(String namespace) {
            return jdbi.withHandle(h -> h.createQuery(
                            "SELECT * FROM deployments WHERE (CAST(:ns AS VARCHAR) IS NULL OR namespace = :ns) ORDER BY namespace, name")
                    .bind("ns", namespace)
                    .map(FieldMapper.of(DeploymentRow.class)).list());
        }

        @Override
        public void insert(Tx tx, DeploymentRow row) {
            handle(tx).createUpdate("INSERT INTO deployments (" + DEPLOYMENT_COLUMNS + ") VALUES (:namespace, :name, :uid, :labels, "
                            + ":desiredState, :specVersion, :phase, :runningVersion, :jobId, :jobAttempt, :restoredFrom, "
                            + ":error, :hasState, :pendingSnapshot, :restoreOverride, :lastStableVersion, :rollingBack, :versionStartedAt, :restarts, :lastRestartAt, :recordsIn, :recordsOut, :createdAt, :updatedAt, "
                            + ":transitionAt)")
                    .bindFields(row).execute();
        }

        @Override
        public void update(Tx tx, DeploymentRow row) {
            handle(tx).createUpdate("UPDATE deployments SET uid = :uid, labels = :labels, desired_state = :desiredState, "
                            + "spec_version = :specVersion, phase = :phase, running_version = :runningVersion, "
                            + "job_id = :jobId, job_attempt = :jobAttempt, restored_from = :restoredFrom, error = :error, "
                            + "has_state = :hasState, pending_snapshot = :pendingSnapshot, restore_override = :restoreOverride, "
                            + "last_stable_version = :lastStableVersion, rolling_back = :rollingBack, "
                            + "version_started_at = :versionStartedAt, restarts = :restarts, last_restart_at = :lastRestartAt, "
                            + "records_in = :recordsIn, "
                            + "records_out = :recordsOut, updated_at = :updatedAt, transition_at = :transitionAt "
                            + "WHERE namespace = :namespace AND name = :name")
                    .bindFields(row).execute();
        }

        @Override
        public void update(DeploymentRow row) {
            jdbi.useHandle(h -> update(new SqlTx(h), row));
        }

        @Override
        public void delete(Tx tx, DeploymentKey key) {
            for (String table : List.of("deployments", "versions", "snapshots", "events")) {
                handle(tx).createUpdate("DELETE FROM " + table + " WHERE namespace = :ns AND name = :name")
                        .bind("ns", key.namespace()).bind("name", key.name()).execute();
            }
        }
    }

    private final class Versions implements VersionRepository {

        @Override
        public Map<DeploymentKey, String> wantedSpecs(String namespace) {
            Map<DeploymentKey, String> specs = new HashMap<>();
            jdbi.useHandle(h -> h.createQuery("SELECT v.namespace, v.name, v.spec FROM versions v JOIN deployments d "
                            + "ON d.namespace = v.namespace AND d.name = v.name AND d.spec_version = v.version "
                            + "WHERE (CAST(:ns AS VARCHAR) IS NULL OR d.namespace = :ns)")
                    .bind("ns", namespace)
                    .map((rs, ctx) -> Map.entry(new DeploymentKey(rs.getString("namespace"), rs.getString("name")),
                            rs.getString("spec")))
                    .forEach(e -> specs.put(e.getKey(), e.getValue())));
            return specs;
        }

        @Override
        public void insert(Tx tx, VersionRow row) {
            handle(tx).createUpdate("INSERT INTO versions (namespace, name, version, spec, plan_kind, plan, created_at) "
                            + "VALUES (:namespace, :name, :version, :spec, :planKind, :plan, :createdAt)")
                    .bindFields(row).execute();
        }

        @Override
        public Optional<VersionRow> find(DeploymentKey key, int version) {
            return jdbi.withHandle(h -> h.createQuery(
                            "SELECT * FROM versions WHERE namespace = :ns AND name = :name AND version = :v")
                    .bind("ns", key.namespace()).bind("name", key.name()).bind("v", version)
                    .map(FieldMapper.of(VersionRow.class)).findOne());
        }

        /** The highest version number of a deployment (new versions take the next one, also after a rollback). */
        @Override
        public int latest(Tx tx, DeploymentKey key) {
            return handle(tx).createQuery("SELECT COALESCE(MAX(version), 0) FROM versions WHERE namespace = :ns AND name = :name")
                    .bind("ns", key.namespace()).bind("name", key.name()).mapTo(Integer.class).one();
        }

        @Override
        public List<VersionRow> list(DeploymentKey key) {
            return jdbi.withHandle(h -> h.createQuery(
                            "SELECT * FROM versions WHERE namespace = :ns AND name = :name ORDER BY version DESC")
                    .bind("ns", key.namespace()).bind("name", key.name())
                    .map(FieldMapper.of(VersionRow.class)).list());
        }
    }

    private final class Snapshots implements SnapshotRepository {

        @Override
        public void insert(Tx tx, SnapshotRow row) {
            handle(tx).createUpdate("INSERT INTO snapshots (id, namespace, name, version, origin, state, location, target_dir, "
                            + "size_bytes, job_id, error, created_at, completed_at) VALUES (:id, :namespace, :name, "
                            + ":version, :origin, :state, :location, :targetDir, :sizeBytes, :jobId, :error, :createdAt, "
                            + ":completedAt)")
                    .bindFields(row).execute();
        }

        @Override
        public void insert(SnapshotRow row) {
            jdbi.useHandle(h -> insert(new SqlTx(h), row));
        }

        @Override
        public void update(Tx tx, SnapshotRow row) {
            handle(tx).createUpdate("UPDATE snapshots SET state = :state, location = :location, size_bytes = :sizeBytes, "
                            + "error = :error, completed_at = :completedAt WHERE id = :id")
                    .bindFields(row).execute();
        }

        @Override
        public void update(SnapshotRow row) {
            jdbi.useHandle(h -> update(new SqlTx(h), row));
        }

        @Override
        public void delete(Tx tx, String id) {
            handle(tx).createUpdate("DELETE FROM snapshots WHERE id = :id").bind("id", id).execute();
        }

        @Override
        public Optional<SnapshotRow> find(String id) {
            return jdbi.withHandle(h -> h.createQuery("SELECT * FROM snapshots WHERE id = :id")
                    .bind("id", id).map(FieldMapper.of(SnapshotRow.class)).findOne());
        }

        /** Snapshots, newest first, of one deployment or (name null) of a namespace or (both null) of all. */
        @Override
        public List<SnapshotRow> list(String namespace, String name) {
            return jdbi.withHandle(h -> h.createQuery("SELECT * FROM snapshots WHERE (CAST(:ns AS VARCHAR) IS NULL OR namespace = :ns) "
                            + "AND (CAST(:name AS VARCHAR) IS NULL OR name = :name) ORDER BY created_at DESC, id")
                    .bind("ns", namespace).bind("name", name)
                    .map(FieldMapper.of(SnapshotRow.class)).list());
        }
    }

    private final class Events implements EventRepository {

        @Override
        public void append(Tx tx, EventRow row) {
            handle(tx).createUpdate("INSERT INTO events (namespace, name, version, type, reason, message, actor, time) "
                            + "VALUES (:namespace, :name, :version, :type, :reason, :message, :actor, :time)")
                    .bindFields(row).execute();
        }

        @Override
        public void append(EventRow row) {
            jdbi.useHandle(h -> append(new SqlTx(h), row));
        }

        /** Events, newest first, of one deployment or (name null) of a namespace. */
        @Override
        public List<EventRow> list(String namespace, String name, int limit) {
            return jdbi.withHandle(h -> h.createQuery("SELECT * FROM events WHERE (CAST(:ns AS VARCHAR) IS NULL OR namespace = :ns) "
                            + "AND (CAST(:name AS VARCHAR) IS NULL OR name = :name) ORDER BY id DESC LIMIT :limit")
                    .bind("ns", namespace).bind("name", name).bind("limit", limit)
                    .map(FieldMapper.of(EventRow.class)).list());
        }
    }
}
