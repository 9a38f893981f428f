package dev.sluice.engine.flink;

import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.snapshots.SnapshotLayout;
import dev.sluice.control.snapshots.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;
import org.apache.flink.core.fs.EntropyInjector;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The snapshot storage port's adapter: finds completed checkpoints and savepoints through Flink's file systems (local
 * disk or an object store), where a snapshot is complete when its {@code _metadata} file exists, and deletes them.
 *
 * <p>A checkpoint directory may carry Flink's entropy marker ({@code s3.entropy.key}). Flink writes checkpoint data
 * under random key prefixes in its place and each {@code _metadata} without it, so look-ups and deletes go to the
 * directory without the marker, exactly as Flink's {@link EntropyInjector} computes it.
 */
public final class FlinkSnapshotStore implements SnapshotStore {
    private static final String METADATA = "_metadata";
    private final SnapshotLayout layout;

    /** Snapshot storage under {@code layout}'s base, through the file systems Flink was initialised with. */
    public FlinkSnapshotStore(SnapshotLayout layout) {
        this.layout = layout;
    }

    @Override
    public SnapshotLayout layout() {
        return layout;
    }

    /**
     * Flink lays retained checkpoints out as {@code <dir>/<job id>/chk-<n>/_metadata}. The newest is the one whose
     * {@code _metadata} was written last; on a tie (object stores keep modification times to the second) the higher
     * checkpoint number, which a job restored from a checkpoint or savepoint continues counting.
     */
    @Override
    public Optional<RetainedSnapshot> newestCheckpoint(String checkpointDirectory) {
        RetainedSnapshot newest = null;
        long newestNumber = -1;
        for (FileStatus job : list(withoutEntropyMarker(new Path(checkpointDirectory)))) {
            if (!job.isDir()) {
                continue;
            }
            for (FileStatus chk : list(job.getPath())) {
                if (!chk.isDir() || !chk.getPath().getName().startsWith("chk-")) {
                    continue;
                }
                Optional<RetainedSnapshot> found = completed(chk.getPath());
                long number = checkpointNumber(chk.getPath().getName());
                if (found.isPresent() && (newest == null || found.get().completedAt().isAfter(newest.completedAt())
                        || found.get().completedAt().equals(newest.completedAt()) && number > newestNumber)) {
                    newest = found.get();
                    newestNumber = number;
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    private static long checkpointNumber(String name) {
        try {
            return Long.parseLong(name.substring("chk-".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Flink writes a savepoint into {@code <dir>/savepoint-<id>/}. */
    @Override
    public Optional<RetainedSnapshot> savepointIn(String directory) {
        for (FileStatus child : list(new Path(directory))) {
            if (child.isDir() && child.getPath().getName().startsWith("savepoint-")) {
                Optional<RetainedSnapshot> found = completed(child.getPath());
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Deletes a snapshot directory. For a checkpoint directory with the entropy marker only the {@code _metadata}
     * side goes: the data files under random prefixes are Flink's to discard when it subsumes a checkpoint.
     */
    @Override
    public void delete(String directory) {
        Path dir = withoutEntropyMarker(new Path(directory));
        try {
            dir.getFileSystem().delete(dir, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private Optional<RetainedSnapshot> completed(Path dir) {
        long size = 0;
        FileStatus metadata = null;
        for (FileStatus file : list(dir)) {
            size += file.isDir() ? 0 : file.getLen();
            if (file.getPath().getName().equals(METADATA)) {
                metadata = file;
            }
        }
        if (metadata == null) {
            return Optional.empty();
        }
        return Optional.of(new RetainedSnapshot(dir.toString(), Instant.ofEpochMilli(metadata.getModificationTime()), size));
    }

    private static Path withoutEntropyMarker(Path dir) {
        try {
            return EntropyInjector.removeEntropyMarkerIfPresent(dir.getFileSystem(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + dir, e);
        }
    }

    private static FileStatus[] list(Path dir) {
        try {
            FileSystem fs = dir.getFileSystem();
            if (!fs.exists(dir)) {
                return new FileStatus[0];
            }
            FileStatus[] children = fs.listStatus(dir);
            return children == null ? new FileStatus[0] : children;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
