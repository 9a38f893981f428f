package dev.sluice.control.lifecycle;

import dev.sluice.model.DeploymentKey;

/** What an apply did: created the deployment, made a new version (or changed the desired state), or nothing. */
public record ApplyResult(DeploymentKey key, Outcome outcome, int version) {
    /** The three outcomes of an apply. */
    public enum Outcome {
        CREATED,
        UPDATED,
        UNCHANGED
    }
}
