package dev.sluice.control.lifecycle;

import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.model.Durations;
import dev.sluice.model.SavepointSpec;
import dev.sluice.model.SnapshotState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which snapshots of a deployment its retention policy ({@code savepoints.retainCount}, {@code retainAge}) lets go.
 * Never the newest completed snapshot, nor one in progress, nor one the deployment still needs: the snapshot it is
 * pending on, pinned to or restored from, or the newest snapshot each version took (what a rollback to that version
 * restores).
 */
final class SnapshotRetention {
    private SnapshotRetention() {}

    /** A snapshot to delete and why. */
    record Expired(SnapshotRow snapshot, String reason) {}

    /** @param snapshots the deployment's snapshots, newest first */
    static List<Expired> expired(List<SnapshotRow> snapshots, DeploymentRow row, SavepointSpec policy, long now) {
        return expired(snapshots, row, policy, now, Set.of());
    }

    /**
     * @param snapshots the deployment's snapshots, newest first
     * @param referenced snapshot locations other deployments (forks) are pinned to or restored from
     */
    static List<Expired> expired(List<SnapshotRow> snapshots, DeploymentRow row, SavepointSpec policy, long now,
            Set<String> referenced) {
        List<Expired> expired = new ArrayList<>();
        if (policy == null || policy.retainCount() == null && policy.retainAge() == null) {
            return expired;
        }
        Set<String> keep = protectedIds(snapshots, row);
        long maxAge = policy.retainAge() == null ? Long.MAX_VALUE : Durations.parse(policy.retainAge()).toMillis();
        int completedSeen = 0;
        for (SnapshotRow s : snapshots) {
            boolean completed = SnapshotState.COMPLETED.wire().equals(s.state);
            if (completed) {
                completedSeen++;
            }
            if (keep.contains(s.id) || SnapshotState.IN_PROGRESS.wire().equals(s.state)
                    || s.location != null && referenced.contains(s.location)) {
                continue;
            }
            long at = s.completedAt != null ? s.completedAt : s.createdAt;
            if (policy.retainCount() != null && completed && completedSeen > policy.retainCount()) {
                expired.add(new Expired(s, "more than " + policy.retainCount() + " snapshots"));
            } else if (now - at > maxAge) {
                expired.add(new Expired(s, "older than " + policy.retainAge()));
            }
        }
        return expired;
    }

    private static Set<String> protectedIds(List<SnapshotRow> snapshots, DeploymentRow row) {
        Set<String> keep = new HashSet<>();
        Set<Integer> versionsSeen = new HashSet<>();
        boolean newestSeen = false;
        for (SnapshotRow s : snapshots) {
            boolean completed = SnapshotState.COMPLETED.wire().equals(s.state);
            if (completed && !newestSeen) {
                keep.add(s.id);
                newestSeen = true;
            }
            if (completed && s.version != null && versionsSeen.add(s.version)) {
                keep.add(s.id);
            }
            if (s.id.equals(row.pendingSnapshot) || s.location != null && (s.location.equals(row.restoredFrom)
                    || RestorePin.isPinned(row.restoreOverride)
                    && s.location.equals(RestorePin.location(row.restoreOverride)))) {
                keep.add(s.id);
            }
        }
        return keep;
    }
}
