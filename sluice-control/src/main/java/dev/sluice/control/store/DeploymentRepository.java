package dev.sluice.control.store;

import dev.sluice.model.DeploymentKey;
import java.util.List;
import java.util.Optional;

/** Deployments as stored: desired state, what runs, and the intent of a step in progress. */
public interface DeploymentRepository {
    Optional<DeploymentRow> find(DeploymentKey key);

    /** Deployments of a namespace, or (null) of all, by namespace and name. */
    List<DeploymentRow> list(String namespace);

    void insert(Tx tx, DeploymentRow row);

    void update(Tx tx, DeploymentRow row);

    /** Writes the row on its own. */
    void update(DeploymentRow row);

    /** Deletes the deployment with its versions, snapshots and events. */
    void delete(Tx tx, DeploymentKey key);
}
