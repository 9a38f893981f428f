package dev.sluice.control.store;

import java.util.List;
import java.util.Optional;

/** The snapshot catalog: each savepoint Sluice asked for, in progress, completed or failed. */
public interface SnapshotRepository {
    void insert(Tx tx, SnapshotRow row);

    void insert(SnapshotRow row);

    /** Writes the state, location, size, error and completion time of a snapshot. */
    void update(Tx tx, SnapshotRow row);

    void update(SnapshotRow row);

    void delete(Tx tx, String id);

    Optional<SnapshotRow> find(String id);

    /** Snapshots, newest first, of one deployment or (name null) of a namespace or (both null) of all. */
    List<SnapshotRow> list(String namespace, String name);
}
