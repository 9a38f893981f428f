package dev.sluice.control.snapshots;

import dev.sluice.model.DeploymentKey;
import java.util.Locale;
import java.util.Set;

/**
 * Where a deployment's checkpoints and savepoints go, under one base location shared by the control plane and the
 * engine: a local directory ({@code file:///...}) or an object store ({@code s3://...}).
 *
 * <p>On an object store the checkpoint directories may carry an entropy marker (Flink's entropy injection): Flink
 * replaces the marker with random characters in the keys of checkpoint data files, so they spread over many key
 * prefixes, and drops it from the path of each checkpoint's {@code _metadata}. The marker sits right after the base,
 * so the random part leads every data file's key below it. Savepoints never carry it: they stay self-contained under
 * one prefix.
 *
 * @param entropyMarker the marker ({@code s3.entropy.key} in Flink), or null for none
 */
public record SnapshotLayout(String base, String entropyMarker) {
    private static final Set<String> OBJECT_STORE_SCHEMES = Set.of("s3", "s3a", "s3p");

    public SnapshotLayout {
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        entropyMarker = entropyMarker == null || entropyMarker.isEmpty() ? null : entropyMarker;
        if (entropyMarker != null && (entropyMarker.contains("/") || base.contains(entropyMarker))) {
            // Flink replaces the first occurrence of the marker only; it must be our path segment.
            throw new IllegalArgumentException("the entropy key '" + entropyMarker + "' must be a plain name that the "
                    + "snapshot location " + base + " does not contain");
        }
    }

    /** Snapshots under {@code base}, no entropy marker. */
    public SnapshotLayout(String base) {
        this(base, null);
    }

    /** Snapshots under {@code base}; checkpoints carry {@code marker} if the base is on an object store. */
    public static SnapshotLayout withEntropy(String base, String marker) {
        return new SnapshotLayout(base, isObjectStore(base) ? marker : null);
    }

    /** Whether {@code location} is on an S3-compatible object store (the schemes of Flink's S3 file systems). */
    public static boolean isObjectStore(String location) {
        int colon = location.indexOf("://");
        return colon > 0 && OBJECT_STORE_SCHEMES.contains(location.substring(0, colon).toLowerCase(Locale.ROOT));
    }

    /**
     * The checkpoint directory Flink is given: it writes {@code <dir>/<job id>/chk-N} there. Each deployment has its
     * own. With an entropy marker this is not where the files are found: see {@link #retainedCheckpointDirectory}.
     */
    public String checkpointDirectory(DeploymentKey key, String uid) {
        return (entropyMarker == null ? base : base + "/" + entropyMarker) + checkpointPath(key, uid);
    }

    /**
     * Where Flink puts the {@code <job id>/chk-N/_metadata} of {@link #checkpointDirectory}'s checkpoints: the same
     * directory with the entropy marker removed, which is the directory a layout without entropy uses.
     */
    public String retainedCheckpointDirectory(DeploymentKey key, String uid) {
        return base + checkpointPath(key, uid);
    }

    /** One directory per snapshot, chosen before the savepoint is taken, so a crash mid-way can be resolved. */
    public String savepointDirectory(DeploymentKey key, String snapshotId) {
        return base + "/savepoints/" + key.namespace() + "/" + key.name() + "/" + snapshotId;
    }

    private static String checkpointPath(DeploymentKey key, String uid) {
        // Names are DNS labels, so they never contain an entropy marker such as _entropy_.
        return "/checkpoints/" + key.namespace() + "/" + key.name() + "-" + uid.substring(0, 8);
    }
}
