package dev.sluice.control.store;

import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Phase;

/**
 * One deployment as stored: desired state ({@code desiredState}, {@code specVersion}), what runs
 * ({@code runningVersion}, {@code jobId}) and the intent of a step in progress ({@code pendingSnapshot}).
 * A plain mutable row: the reconciler changes a copy and writes it back in one statement.
 */
public class DeploymentRow {
    public String namespace;
    public String name;
    public String uid;
    public String labels;
    public DesiredState desiredState;
    public int specVersion;
    public Phase phase;
    public Integer runningVersion;
    public String jobId;
    public int jobAttempt;
    public String restoredFrom;
    public String error;
    public boolean hasState;
    public String pendingSnapshot;
    /** {@code none}: the next start ignores snapshots once (a stateless upgrade). */
    public String restoreOverride;
    /** The newest version that ran healthily through its readiness window: where a rollback returns to. */
    public Integer lastStableVersion;
    /** True while moving back to an earlier version (phase rolling-back instead of upgrading). */
    public boolean rollingBack;
    /** When the running version's first job was submitted; cleared once the version is stable. */
    public Long versionStartedAt;
    /** Restarts Flink made of the running version's jobs since it was started, and when the last one was seen. */
    public int restarts;
    public Long lastRestartAt;
    public Long recordsIn;
    public Long recordsOut;
    public long createdAt;
    public long updatedAt;
    public long transitionAt;

    public DeploymentKey key() {
        return new DeploymentKey(namespace, name);
    }

    public DeploymentRow copy() {
        DeploymentRow c = new DeploymentRow();
        c.namespace = namespace;
        c.name = name;
        c.uid = uid;
        c.labels = labels;
        c.desiredState = desiredState;
        c.specVersion = specVersion;
        c.phase = phase;
        c.runningVersion = runningVersion;
        c.jobId = jobId;
        c.jobAttempt = jobAttempt;
        c.restoredFrom = restoredFrom;
        c.error = error;
        c.hasState = hasState;
        c.pendingSnapshot = pendingSnapshot;
        c.restoreOverride = restoreOverride;
        c.lastStableVersion = lastStableVersion;
        c.rollingBack = rollingBack;
        c.versionStartedAt = versionStartedAt;
        c.restarts = restarts;
        c.lastRestartAt = lastRestartAt;
        c.recordsIn = recordsIn;
        c.recordsOut = recordsOut;
        c.createdAt = createdAt;
        c.updatedAt = updatedAt;
        c.transitionAt = transitionAt;
        return c;
    }
}
