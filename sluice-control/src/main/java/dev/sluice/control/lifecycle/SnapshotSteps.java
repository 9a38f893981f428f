package dev.sluice.control.lifecycle;

import dev.sluice.control.snapshots.SnapshotStore;
import dev.sluice.control.snapshots.SnapshotLayout;
import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.model.Durations;
import dev.sluice.model.Phase;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.SnapshotOrigin;
import dev.sluice.model.SnapshotState;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The reconciler's snapshot steps: savepoints for suspend, upgrade, user and periodic requests (intent first: the
 * catalog row and its target directory are stored before Flink is asked), settling snapshots a crash interrupted,
 * and retention.
 */
final class SnapshotSteps {
    private static final String ACTOR = DeploymentWriter.ACTOR;
    private final Store store;
    private final Events events;
    private final Clock clock;
    private final FaultPoints faults;
    private final SnapshotStore snapshots;
    private final SnapshotLayout layout;
    private final DeploymentWriter writer;

    SnapshotSteps(Store store, Events events, Clock clock, FaultPoints faults, SnapshotStore snapshots,
            DeploymentWriter writer) {
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.faults = faults;
        this.snapshots = snapshots;
        this.layout = snapshots.layout();
        this.writer = writer;
    }

    /** Snapshot row first (intent, with its target directory), then the savepoint, then the result. */
    Optional<SnapshotRow> stopWithSavepoint(DeploymentRow row, Engine engine, SnapshotOrigin origin) {
        SnapshotRow snapshot = pendingSnapshot(row, origin);
        writer.transition(row, origin == SnapshotOrigin.SUSPEND ? Phase.SUSPENDING : row.phase, null);
        String step = origin.wire();
        faults.reached(step + ".before-savepoint");
        try {
            String location = engine.stopWithSavepoint(row.jobId, snapshot.targetDir);
            faults.reached(step + ".after-savepoint");
            completeSnapshot(row, snapshot, location);
            faults.reached(step + ".after-snapshot-stored");
            row.jobId = null;
            row.hasState = true;
            writer.save(row);
            return Optional.of(snapshot);
        } catch (EngineException e) {
            failSnapshot(row, snapshot, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * {@code savepoints.periodic}: due once the deployment has been running a whole period without a completed
     * snapshot or a periodic attempt (a failed attempt waits a period too, so failures do not repeat every pass).
     */
    boolean periodicSavepointDue(DeploymentRow row, PipelineSpec spec) {
        if (spec.savepoints() == null || spec.savepoints().periodic() == null
                || row.phase != Phase.RUNNING) {
            return false;
        }
        long period = Durations.parse(spec.savepoints().periodic()).toMillis();
        long newest = row.transitionAt;
        for (SnapshotRow s : store.snapshots().list(row.namespace, row.name)) {
            if (SnapshotState.COMPLETED.wire().equals(s.state) && s.completedAt != null) {
                newest = Math.max(newest, s.completedAt);
            }
            if (SnapshotOrigin.PERIODIC.wire().equals(s.origin)) {
                newest = Math.max(newest, s.createdAt);
            }
        }
        return clock.millis() - newest >= period;
    }

    /** Triggers the savepoint of the snapshot the row names as pending (user or periodic); the job keeps running. */
    void takePendingSnapshot(DeploymentRow row, Engine engine) {
        SnapshotRow snapshot = store.snapshots().find(row.pendingSnapshot).orElse(null);
        if (snapshot == null) {
            row.pendingSnapshot = null;
            writer.save(row);
            return;
        }
        faults.reached("snapshot.before-savepoint");
        try {
            String location = engine.triggerSavepoint(row.jobId, snapshot.targetDir);
            faults.reached("snapshot.after-savepoint");
            completeSnapshot(row, snapshot, location);
            row.hasState = true;
            writer.save(row);
        } catch (EngineException e) {
            failSnapshot(row, snapshot, e.getMessage());
        }
    }

    SnapshotRow pendingSnapshot(DeploymentRow row, SnapshotOrigin origin) {
        if (row.pendingSnapshot != null) {
            resolvePendingSnapshot(row); // one snapshot in flight at a time; settle the older one first
        }
        SnapshotRow s = inProgress(row, origin, layout, clock.millis());
        store.inTransaction(h -> {
            store.snapshots().insert(h, s);
            store.deployments().update(h, row);
        });
        return s;
    }

    /**
     * A new snapshot of the running job, in progress, and the deployment marked as taking it: what is written before
     * the engine is asked for the savepoint.
     */
    static SnapshotRow inProgress(DeploymentRow row, SnapshotOrigin origin, SnapshotLayout layout, long now) {
        SnapshotRow s = new SnapshotRow();
        s.id = UUID.randomUUID().toString();
        s.namespace = row.namespace;
        s.name = row.name;
        s.version = row.runningVersion;
        s.origin = origin.wire();
        s.state = SnapshotState.IN_PROGRESS.wire();
        s.targetDir = layout.savepointDirectory(row.key(), s.id);
        s.jobId = row.jobId;
        s.createdAt = now;
        row.pendingSnapshot = s.id;
        row.updatedAt = now;
        return s;
    }

    void completeSnapshot(DeploymentRow row, SnapshotRow s, String location) {
        RetainedSnapshot found = snapshots.savepointIn(s.targetDir).orElse(null);
        s.state = SnapshotState.COMPLETED.wire();
        s.location = location;
        s.sizeBytes = found == null ? null : found.sizeBytes();
        s.completedAt = clock.millis();
        row.pendingSnapshot = null;
        row.updatedAt = clock.millis();
        store.inTransaction(h -> {
            store.snapshots().update(h, s);
            store.deployments().update(h, row);
            events.normal(h, row.key(), s.version, "SnapshotCompleted",
                    "snapshot " + s.id + " (" + s.origin + ") at " + location, ACTOR);
        });
    }

    void failSnapshot(DeploymentRow row, SnapshotRow s, String error) {
        s.state = SnapshotState.FAILED.wire();
        s.error = error;
        row.pendingSnapshot = null;
        row.updatedAt = clock.millis();
        store.inTransaction(h -> {
            store.snapshots().update(h, s);
            store.deployments().update(h, row);
            events.warning(h, row.key(), s.version, "SnapshotFailed", "snapshot " + s.id + " (" + s.origin
                    + ") failed: " + error, ACTOR);
        });
    }

    /** A snapshot was in progress when the job went away: it completed if its savepoint is in its directory. */
    void resolvePendingSnapshot(DeploymentRow row) {
        store.snapshots().find(row.pendingSnapshot).ifPresentOrElse(s -> resolve(row, s), () -> {
            row.pendingSnapshot = null;
            writer.save(row);
        });
    }

    void resolve(DeploymentRow row, SnapshotRow s) {
        if (!SnapshotState.IN_PROGRESS.wire().equals(s.state)) {
            row.pendingSnapshot = null;
            writer.save(row);
            return;
        }
        Optional<RetainedSnapshot> found = snapshots.savepointIn(s.targetDir);
        if (found.isPresent()) {
            row.hasState = true;
            completeSnapshot(row, s, found.get().location());
        } else {
            failSnapshot(row, s, "interrupted before the savepoint completed");
        }
    }

    /** Deletes the snapshots the retention policy lets go: files first, then the catalog row, with an event. */
    void applyRetention(DeploymentRow row, PipelineSpec spec) {
        if (spec.savepoints() == null) {
            return;
        }
        Set<String> referenced = new HashSet<>();
        for (DeploymentRow other : store.deployments().list(null)) {
            if (other.restoredFrom != null) {
                referenced.add(other.restoredFrom);
            }
            if (RestorePin.isPinned(other.restoreOverride)) {
                referenced.add(RestorePin.location(other.restoreOverride));
            }
        }
        for (SnapshotRetention.Expired e : SnapshotRetention.expired(
                store.snapshots().list(row.namespace, row.name), row, spec.savepoints(), clock.millis(), referenced)) {
            SnapshotRow s = e.snapshot();
            if (s.targetDir != null) {
                snapshots.delete(s.targetDir);
            }
            store.inTransaction(h -> {
                store.snapshots().delete(h, s.id);
                events.normal(h, row.key(), s.version, "SnapshotDeleted", "snapshot " + s.id + " (" + s.origin
                        + ", " + s.state + ") removed by retention: " + e.reason(), ACTOR);
            });
        }
    }
}
