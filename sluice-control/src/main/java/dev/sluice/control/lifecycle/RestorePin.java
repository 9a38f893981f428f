package dev.sluice.control.lifecycle;

import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.model.Phase;
import dev.sluice.model.SnapshotState;
import java.util.Comparator;

/**
 * What the next start of a deployment restores when it is decided ahead of time ({@code restoreOverride}): nothing
 * ({@code none}, a stateless upgrade) or one pinned snapshot ({@code pin:<location>}, a rollback or a checkpoint
 * fallback). Null means: the newest state.
 */
final class RestorePin {
    static final String NONE = "none";
    private static final String PIN = "pin:";

    private RestorePin() {}

    static String of(String location) {
        return PIN + location;
    }

    static boolean isPinned(String override) {
        return override != null && override.startsWith(PIN);
    }

    static String location(String override) {
        return override.substring(PIN.length());
    }

    /**
     * Points a deployment back at an earlier version. The newest completed snapshot that version itself took is pinned,
     * since that version can surely restore it; without one, the stateful upgrade path carries the current state over.
     */
    static void beginRollback(Store store, DeploymentRow row, int version) {
        row.specVersion = version;
        row.rollingBack = true;
        row.error = null;
        row.versionStartedAt = null;
        if (row.jobId != null || row.phase == Phase.FAILED) {
            row.phase = Phase.ROLLING_BACK; // the reason is recorded by the caller's event
        }
        row.restoreOverride = store.snapshots().list(row.namespace, row.name).stream()
                .filter(s -> SnapshotState.COMPLETED.wire().equals(s.state) && s.location != null)
                .filter(s -> s.version != null && s.version == version)
                .max(Comparator.comparingLong((SnapshotRow s) -> s.completedAt))
                .map(s -> of(s.location))
                .orElse(null);
    }
}
