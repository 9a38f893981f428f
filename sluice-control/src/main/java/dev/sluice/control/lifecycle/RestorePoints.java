package dev.sluice.control.lifecycle;

import dev.sluice.control.snapshots.SnapshotStore;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.Store;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.RestoreStrategy;
import dev.sluice.model.SnapshotState;
import java.util.Comparator;
import java.util.Optional;

/** Finds where a deployment's next job restores from when nothing is pinned: its newest completed state. */
final class RestorePoints {
    private final Store store;
    private final SnapshotStore snapshots;

    RestorePoints(Store store, SnapshotStore snapshots) {
        this.store = store;
        this.snapshots = snapshots;
    }

    /** A place to restore from: a catalogued savepoint, a retained checkpoint, or a pinned snapshot. */
    record RestorePoint(String location, long completedAt, String snapshotId, String kind) {
        String describe() {
            return kind + (snapshotId == null ? " " : " " + snapshotId + " at ") + location;
        }
    }

    /**
     * The newest completed savepoint in the catalog or, unless the strategy is {@code latest-savepoint}, retained
     * checkpoint, whichever completed last.
     */
    Optional<RestorePoint> newest(DeploymentRow row, PipelineSpec spec) {
        Optional<RestorePoint> savepoint = store.snapshots().list(row.namespace, row.name).stream()
                .filter(s -> SnapshotState.COMPLETED.wire().equals(s.state) && s.location != null)
                .max(Comparator.comparingLong(s -> s.completedAt))
                .map(s -> new RestorePoint(s.location, s.completedAt, s.id, "snapshot"));
        if (spec.restoreStrategy() == RestoreStrategy.LATEST_SAVEPOINT) {
            return savepoint;
        }
        Optional<RestorePoint> checkpoint = snapshots.newestCheckpoint(snapshots.layout().retainedCheckpointDirectory(row.key(), row.uid))
                .map(c -> new RestorePoint(c.location(), c.completedAt().toEpochMilli(), null, "retained checkpoint"));
        if (savepoint.isEmpty()) {
            return checkpoint;
        }
        if (checkpoint.isEmpty()) {
            return savepoint;
        }
        return checkpoint.get().completedAt() > savepoint.get().completedAt() ? checkpoint : savepoint;
    }
}
