package dev.sluice.control.lifecycle;

import dev.sluice.control.store.DeploymentRow;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Phase;

/**
 * One deployment as a reconcile pass sees it: an immutable copy of its stored row. The decision function reads it; a
 * step changes a {@link #toRow() mutable copy}, writes that, and the pass goes on with what was written.
 */
record DeploymentView(
        String namespace,
        String name,
        String uid,
        String labels,
        DesiredState desiredState,
        int specVersion,
        Phase phase,
        Integer runningVersion,
        String jobId,
        int jobAttempt,
        String restoredFrom,
        String error,
        boolean hasState,
        String pendingSnapshot,
        String restoreOverride,
        Integer lastStableVersion,
        boolean rollingBack,
        Long versionStartedAt,
        int restarts,
        Long lastRestartAt,
        Long recordsIn,
        Long recordsOut,
        long createdAt,
        long updatedAt,
        long transitionAt) {

    static DeploymentView of(DeploymentRow r) {
        return new DeploymentView(r.namespace, r.name, r.uid, r.labels, r.desiredState, r.specVersion, r.phase,
                r.runningVersion, r.jobId, r.jobAttempt, r.restoredFrom, r.error, r.hasState, r.pendingSnapshot,
                r.restoreOverride, r.lastStableVersion, r.rollingBack, r.versionStartedAt, r.restarts, r.lastRestartAt,
                r.recordsIn, r.recordsOut, r.createdAt, r.updatedAt, r.transitionAt);
    }

    DeploymentRow toRow() {
        DeploymentRow r = new DeploymentRow();
        r.namespace = namespace;
        r.name = name;
        r.uid = uid;
        r.labels = labels;
        r.desiredState = desiredState;
        r.specVersion = specVersion;
        r.phase = phase;
        r.runningVersion = runningVersion;
        r.jobId = jobId;
        r.jobAttempt = jobAttempt;
        r.restoredFrom = restoredFrom;
        r.error = error;
        r.hasState = hasState;
        r.pendingSnapshot = pendingSnapshot;
        r.restoreOverride = restoreOverride;
        r.lastStableVersion = lastStableVersion;
        r.rollingBack = rollingBack;
        r.versionStartedAt = versionStartedAt;
        r.restarts = restarts;
        r.lastRestartAt = lastRestartAt;
        r.recordsIn = recordsIn;
        r.recordsOut = recordsOut;
        r.createdAt = createdAt;
        r.updatedAt = updatedAt;
        r.transitionAt = transitionAt;
        return r;
    }

    DeploymentKey key() {
        return new DeploymentKey(namespace, name);
    }

    /** True when a version other than the wanted one is the one that runs. */
    boolean onOtherVersion() {
        return runningVersion != null && runningVersion != specVersion;
    }

    boolean pinned() {
        return RestorePin.isPinned(restoreOverride);
    }
}
