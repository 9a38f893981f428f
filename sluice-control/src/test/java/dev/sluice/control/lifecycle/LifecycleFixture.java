package dev.sluice.control.lifecycle;

import dev.sluice.control.snapshots.SnapshotLayout;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.ManualClock;
import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.engine.TestingEngine;
import dev.sluice.control.snapshots.TestingSnapshots;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.EventRow;
import dev.sluice.control.store.H2Databases;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.SqlStore;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.VersionRow;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.Json;
import dev.sluice.model.PipelineSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle under test: a real H2 store, a {@link TestingEngine} per target ({@code embedded} and {@code remote}), a
 * {@link ManualClock}, a {@link Reconciler} the test drives one {@link Reconciler#pass()} at a time, and a
 * {@link DeploymentService} that wakes a separate reconciler over an empty store, so nothing but the test drives the
 * deployments.
 */
abstract class LifecycleFixture {
    static final DeploymentKey KEY = new DeploymentKey("default", "orders");
    static final SnapshotLayout LAYOUT = new SnapshotLayout("file:///tmp/x");
    static final String YAML = """
            apiVersion: sluice.dev/v1
            kind: Pipeline
            metadata:
              name: orders
            spec:
              sql: |
                INSERT INTO totals SELECT * FROM orders;
            """;

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.parse("2025-03-01T12:00:00Z"));
    /** Snapshot storage, shared by both targets as in a real setup. */
    final TestingSnapshots snapshots = new TestingSnapshots(layout());
    final TestingEngine engine = new TestingEngine(clock, snapshots);
    final TestingEngine remote = new TestingEngine("remote", clock, snapshots);
    Store store;
    Targets targets;
    DeploymentLocks locks;
    Reconciler reconciler;
    Reconciler wakeOnly;
    DeploymentService service;

    /** Where snapshots go; {@link #LAYOUT} unless a test class needs another. */
    SnapshotLayout layout() {
        return LAYOUT;
    }

    @BeforeEach
    void setUpLifecycle() {
        store = SqlStore.h2(dir);
        targets = new Targets(List.of(engine, remote));
        locks = new DeploymentLocks();
        Events events = new Events(store, clock);
        reconciler = new Reconciler(store, targets, snapshots, events, locks, clock);
        wakeOnly = new Reconciler(emptyStore(), targets, snapshots, events, locks, clock);
        service = new DeploymentService(store, targets, snapshots, events, locks, wakeOnly, Map.of(), clock);
    }

    @AfterEach
    void tearDownLifecycle() {
        wakeOnly.close();
        reconciler.close();
        H2Databases.shutdown(dir);
    }

    /** Applies {@link #YAML} and drives it to running; returns the job id. */
    String running() {
        service.apply(YAML, "default", "alice");
        reconciler.pass();
        engine.runAll();
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        return row().jobId;
    }

    /** Requests a user snapshot and lets one pass take it. */
    SnapshotRow userSnapshot() {
        SnapshotRow requested = service.snapshot(KEY, "alice");
        reconciler.pass();
        SnapshotRow taken = store.snapshots().find(requested.id).orElseThrow();
        assertThat(taken.state).isEqualTo("completed");
        return taken;
    }

    /** The engine reports a completed checkpoint of the deployment, completed now. */
    RetainedSnapshot retainCheckpoint(String name) {
        return retainCheckpoint(name, clock.instant());
    }

    /** The engine reports a completed checkpoint of the deployment, completed at the given time. */
    RetainedSnapshot retainCheckpoint(String name, Instant completedAt) {
        String directory = layout().retainedCheckpointDirectory(KEY, row().uid);
        RetainedSnapshot checkpoint = new RetainedSnapshot(directory + "/" + row().jobId + "/" + name, completedAt,
                2048);
        engine.retainCheckpoint(directory, checkpoint);
        return checkpoint;
    }

    /**
     * Writes what the reconciler stores before it asks for a stop-with-savepoint (the snapshot row and the
     * deployment's intent), as if the process died while the engine was taking it.
     */
    SnapshotRow crashedWhileStopping(String jobId, String phase, String origin) {
        DeploymentRow row = row();
        SnapshotRow s = new SnapshotRow();
        s.id = UUID.randomUUID().toString();
        s.namespace = KEY.namespace();
        s.name = KEY.name();
        s.version = row.runningVersion;
        s.origin = origin;
        s.state = "in-progress";
        s.targetDir = LAYOUT.savepointDirectory(KEY, s.id);
        s.jobId = jobId;
        s.createdAt = clock.millis();
        if ("suspend".equals(origin)) {
            row.desiredState = DesiredState.SUSPENDED;
        }
        row.phase = Phase.parse(phase);
        row.pendingSnapshot = s.id;
        store.inTransaction(h -> {
            store.snapshots().insert(h, s);
            store.deployments().update(h, row);
        });
        return s;
    }

    /** The control plane dies and comes back: the database closes without a clean shutdown and opens again. */
    Store restartControlPlane() {
        reconciler.close();
        H2Databases.crash(dir);
        return SqlStore.h2(dir);
    }

    DeploymentRow row() {
        return store.deployments().find(KEY).orElseThrow();
    }

    PipelineSpec spec(int version) {
        VersionRow v = store.versions().find(KEY, version).orElseThrow();
        return Json.read(v.spec, PipelineSpec.class);
    }

    SnapshotRow onlySnapshot() {
        List<SnapshotRow> all = store.snapshots().list("default", "orders");
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    /** Events of the deployment, newest first. */
    List<EventRow> events() {
        return store.events().list("default", "orders", 100);
    }

    List<String> reasons() {
        return events().stream().map(e -> e.reason).toList();
    }

    /** The newest event with this reason; fails when there is none. */
    EventRow event(String reason) {
        return events().stream().filter(e -> e.reason.equals(reason)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + reason + " event in " + reasons()));
    }

    /** An empty in-memory store, for the reconciler that the service wakes. */
    static Store emptyStore() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:wake-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        ds.setUser("sluice");
        return new SqlStore(ds);
    }
}
