package dev.sluice.control.store;

import dev.sluice.model.DeploymentKey;
import java.util.List;
import java.util.Optional;

/** The versions of each deployment: every spec applied, numbered from 1, never changed once written. */
public interface VersionRepository {
    void insert(Tx tx, VersionRow row);

    Optional<VersionRow> find(DeploymentKey key, int version);

    /** The highest version number of the deployment, 0 when it has none, read inside {@code tx}. */
    int latest(Tx tx, DeploymentKey key);

    /** All versions of the deployment, newest first. */
    List<VersionRow> list(DeploymentKey key);
}
