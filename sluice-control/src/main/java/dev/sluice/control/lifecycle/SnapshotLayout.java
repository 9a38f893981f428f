package dev.sluice.control.lifecycle;

import dev.sluice.model.DeploymentKey;

/**
 * Where a deployment's checkpoints and savepoints go, under one base location shared by the control plane and the
 * engine: a local directory ({@code file:///...}) or an object store ({@code s3://...}).
 */
public record SnapshotLayout(String base) {
    public SnapshotLayout {
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** Flink writes {@code <dir>/<job id>/chk-N} here; each deployment has its own directory. */
    public String checkpointDirectory(DeploymentKey key, String uid) {
        return base + "/checkpoints/" + key.namespace() + "/" + key.name() + "-" + uid.substring(0, 8);
    }

    /** One directory per snapshot, chosen before the savepoint is taken, so a crash mid-way can be resolved. */
    public String savepointDirectory(DeploymentKey key, String snapshotId) {
        return base + "/savepoints/" + key.namespace() + "/" + key.name() + "/" + snapshotId;
    }
}
