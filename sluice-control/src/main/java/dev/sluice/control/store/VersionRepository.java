package dev.sluice.control.store;

import dev.sluice.model.DeploymentKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The versions of each deployment: every spec applied, numbered from 1, never changed once written. */
public interface VersionRepository {
    void insert(Tx tx, VersionRow row);

    Optional<VersionRow> find(DeploymentKey key, int version);

    /** The highest version number of the deployment, 0 when it has none, read inside {@code tx}. */
    int latest(Tx tx, DeploymentKey key);

    /**
     * The spec (JSON) of the wanted version of each deployment of a namespace, or (null) of all, in one read: what a
     * list of deployments shows.
     */
    Map<DeploymentKey, String> wantedSpecs(String namespace);

    /** All versions of the deployment, newest first. */
    List<VersionRow> list(DeploymentKey key);
}
