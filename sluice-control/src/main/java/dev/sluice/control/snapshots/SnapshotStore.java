package dev.sluice.control.snapshots;

import java.util.Optional;

/**
 * The snapshot storage port: where a deployment's checkpoints and savepoints go ({@link #layout()}), and what is
 * there. One storage serves every target (all of them must reach it); the adapter reads it through Flink's file
 * systems, so a local directory and an object store look alike. A snapshot is complete when Flink wrote its
 * {@code _metadata}; a {@link RetainedSnapshot} says where, when, and its size.
 */
public interface SnapshotStore {

    SnapshotLayout layout();

    /**
     * The newest completed checkpoint Flink retained under {@code checkpointDirectory} (a
     * {@link SnapshotLayout#retainedCheckpointDirectory}), if any.
     */
    Optional<RetainedSnapshot> newestCheckpoint(String checkpointDirectory);

    /** The completed savepoint written into {@code directory}, if any (looked up after a crash too). */
    Optional<RetainedSnapshot> savepointIn(String directory);

    /** Deletes a snapshot directory and everything in it; a missing one is not an error. */
    void delete(String directory);
}
