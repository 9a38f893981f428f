package dev.sluice.control.store;

import dev.sluice.model.DeploymentKey;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.FieldMapper;

/**
 * The metadata store: deployments, versions, snapshots and events, in H2 (embedded) or PostgreSQL, with the same
 * Flyway migrations. Every write is one transaction and is durable when the call returns, so intent written before an
 * action survives a crash.
 */
public final class Store {
    private static final String DEPLOYMENT_COLUMNS = "namespace, name, uid, labels, desired_state, spec_version, phase, "
            + "running_version, job_id, job_attempt, restored_from, error, has_state, pending_snapshot, restore_override, last_stable_version, rolling_back, "
            + "version_started_at, restarts, last_restart_at, records_in, "
            + "records_out, created_at, updated_at, transition_at";

    private final Jdbi jdbi;

    public Store(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        this.jdbi = Jdbi.create(dataSource);
    }

    /** An embedded H2 database in PostgreSQL mode under {@code directory}. */
    public static Store h2(java.nio.file.Path directory) {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        // WRITE_DELAY=0: a commit reaches the file before the call returns (kill -9 must not lose intent).
        ds.setURL("jdbc:h2:file:" + directory.toAbsolutePath().resolve("sluice")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1;WRITE_DELAY=0");
        ds.setUser("sluice");
        ds.setPassword("");
        return new Store(ds);
    }

    /** Runs several writes as one transaction. */
    public void inTransaction(Consumer<Handle> work) {
        jdbi.useTransaction(work::accept);
    }

    // --- deployments

    public Optional<DeploymentRow> deployment(DeploymentKey key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployments WHERE namespace = :ns AND name = :name")
                .bind("ns", key.namespace()).bind("name", key.name())
                .map(FieldMapper.of(DeploymentRow.class)).findOne());
    }

    public List<DeploymentRow> deployments(String namespace) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM deployments WHERE (CAST(:ns AS VARCHAR) IS NULL OR namespace = :ns) ORDER BY namespace, name")
                .bind("ns", namespace)
                .map(FieldMapper.of(DeploymentRow.class)).list());
    }

    public void insertDeployment(Handle h, DeploymentRow row) {
        h.createUpdate("INSERT INTO deployments (" + DEPLOYMENT_COLUMNS + ") VALUES (:namespace, :name, :uid, :labels, "
                        + ":desiredState, :specVersion, :phase, :runningVersion, :jobId, :jobAttempt, :restoredFrom, "
                        + ":error, :hasState, :pendingSnapshot, :restoreOverride, :lastStableVersion, :rollingBack, :versionStartedAt, :restarts, :lastRestartAt, :recordsIn, :recordsOut, :createdAt, :updatedAt, "
                        + ":transitionAt)")
                .bindFields(row).execute();
    }

    public void updateDeployment(Handle h, DeploymentRow row) {
        h.createUpdate("UPDATE deployments SET uid = :uid, labels = :labels, desired_state = :desiredState, "
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

    public void updateDeployment(DeploymentRow row) {
        jdbi.useHandle(h -> updateDeployment(h, row));
    }

    public void deleteDeployment(Handle h, DeploymentKey key) {
        for (String table : List.of("deployments", "versions", "snapshots", "events")) {
            h.createUpdate("DELETE FROM " + table + " WHERE namespace = :ns AND name = :name")
                    .bind("ns", key.namespace()).bind("name", key.name()).execute();
        }
    }

    // --- versions

    public void insertVersion(Handle h, VersionRow row) {
        h.createUpdate("INSERT INTO versions (namespace, name, version, spec, plan_kind, plan, created_at) "
                        + "VALUES (:namespace, :name, :version, :spec, :planKind, :plan, :createdAt)")
                .bindFields(row).execute();
    }

    public Optional<VersionRow> version(DeploymentKey key, int version) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM versions WHERE namespace = :ns AND name = :name AND version = :v")
                .bind("ns", key.namespace()).bind("name", key.name()).bind("v", version)
                .map(FieldMapper.of(VersionRow.class)).findOne());
    }

    /** The highest version number of a deployment (new versions take the next one, also after a rollback). */
    public int latestVersion(Handle h, DeploymentKey key) {
        return h.createQuery("SELECT COALESCE(MAX(version), 0) FROM versions WHERE namespace = :ns AND name = :name")
                .bind("ns", key.namespace()).bind("name", key.name()).mapTo(Integer.class).one();
    }

    public List<VersionRow> versions(DeploymentKey key) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM versions WHERE namespace = :ns AND name = :name ORDER BY version DESC")
                .bind("ns", key.namespace()).bind("name", key.name())
                .map(FieldMapper.of(VersionRow.class)).list());
    }

    // --- snapshots

    public void insertSnapshot(Handle h, SnapshotRow row) {
        h.createUpdate("INSERT INTO snapshots (id, namespace, name, version, origin, state, location, target_dir, "
                        + "size_bytes, job_id, error, created_at, completed_at) VALUES (:id, :namespace, :name, "
                        + ":version, :origin, :state, :location, :targetDir, :sizeBytes, :jobId, :error, :createdAt, "
                        + ":completedAt)")
                .bindFields(row).execute();
    }

    public void insertSnapshot(SnapshotRow row) {
        jdbi.useHandle(h -> insertSnapshot(h, row));
    }

    public void updateSnapshot(Handle h, SnapshotRow row) {
        h.createUpdate("UPDATE snapshots SET state = :state, location = :location, size_bytes = :sizeBytes, "
                        + "error = :error, completed_at = :completedAt WHERE id = :id")
                .bindFields(row).execute();
    }

    public void updateSnapshot(SnapshotRow row) {
        jdbi.useHandle(h -> updateSnapshot(h, row));
    }

    public void deleteSnapshot(Handle h, String id) {
        h.createUpdate("DELETE FROM snapshots WHERE id = :id").bind("id", id).execute();
    }

    public Optional<SnapshotRow> snapshot(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM snapshots WHERE id = :id")
                .bind("id", id).map(FieldMapper.of(SnapshotRow.class)).findOne());
    }

    /** Snapshots, newest first, of one deployment or (name null) of a namespace or (both null) of all. */
    public List<SnapshotRow> snapshots(String namespace, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM snapshots WHERE (CAST(:ns AS VARCHAR) IS NULL OR namespace = :ns) "
                        + "AND (CAST(:name AS VARCHAR) IS NULL OR name = :name) ORDER BY created_at DESC, id")
                .bind("ns", namespace).bind("name", name)
                .map(FieldMapper.of(SnapshotRow.class)).list());
    }

    // --- events

    public void appendEvent(Handle h, EventRow row) {
        h.createUpdate("INSERT INTO events (namespace, name, version, type, reason, message, actor, time) "
                        + "VALUES (:namespace, :name, :version, :type, :reason, :message, :actor, :time)")
                .bindFields(row).execute();
    }

    public void appendEvent(EventRow row) {
        jdbi.useHandle(h -> appendEvent(h, row));
    }

    /** Events, newest first, of one deployment or (name null) of a namespace. */
    public List<EventRow> events(String namespace, String name, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM events WHERE (CAST(:ns AS VARCHAR) IS NULL OR namespace = :ns) "
                        + "AND (CAST(:name AS VARCHAR) IS NULL OR name = :name) ORDER BY id DESC LIMIT :limit")
                .bind("ns", namespace).bind("name", name).bind("limit", limit)
                .map(FieldMapper.of(EventRow.class)).list());
    }
}
