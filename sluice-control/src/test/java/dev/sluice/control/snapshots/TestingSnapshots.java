package dev.sluice.control.snapshots;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-memory snapshot storage for tests: a test (or a {@code TestingEngine} taking a savepoint) puts what Flink would
 * have written; deletes are recorded. Thread-safe.
 */
public final class TestingSnapshots implements SnapshotStore {
    private final SnapshotLayout layout;
    private final Map<String, RetainedSnapshot> checkpoints = new HashMap<>();
    private final Map<String, RetainedSnapshot> savepoints = new HashMap<>();
    private final List<String> deleted = new ArrayList<>();

    public TestingSnapshots(SnapshotLayout layout) {
        this.layout = layout;
    }

    @Override
    public SnapshotLayout layout() {
        return layout;
    }

    @Override
    public synchronized Optional<RetainedSnapshot> newestCheckpoint(String checkpointDirectory) {
        return Optional.ofNullable(checkpoints.get(checkpointDirectory));
    }

    @Override
    public synchronized Optional<RetainedSnapshot> savepointIn(String directory) {
        return Optional.ofNullable(savepoints.get(directory));
    }

    @Override
    public synchronized void delete(String directory) {
        savepoints.remove(directory);
        deleted.add(directory);
    }

    /** Makes {@link #newestCheckpoint} report this checkpoint for the directory. */
    public synchronized void retainCheckpoint(String checkpointDirectory, RetainedSnapshot checkpoint) {
        checkpoints.put(checkpointDirectory, checkpoint);
    }

    /** Storage lost every retained checkpoint. */
    public synchronized void forgetCheckpoints() {
        checkpoints.clear();
    }

    /** Makes {@link #savepointIn} report this savepoint for the directory (as if written before a crash). */
    public synchronized void putSavepoint(String directory, RetainedSnapshot savepoint) {
        savepoints.put(directory, savepoint);
    }

    /** The snapshot directories deleted, in order. */
    public synchronized List<String> deleted() {
        return List.copyOf(deleted);
    }
}
