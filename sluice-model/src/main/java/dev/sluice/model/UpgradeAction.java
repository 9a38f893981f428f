package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonValue;

/** What Sluice does to a running deployment to move it to a new version. */
public enum UpgradeAction {
    /** Nothing runs differently: the new version is recorded and takes effect at the next start. */
    NONE,
    /** Stop with a savepoint and start again from it at the new parallelism. */
    RESCALE,
    /** Cancel and start the new version from empty state. */
    STATELESS_RESTART,
    /** Stop with a savepoint and start the new version from it. */
    STATEFUL_UPGRADE;

    @JsonValue
    public String wire() {
        return Wire.of(this);
    }

    /** True when the running job must be stopped for the new version. */
    public boolean restarts() {
        return this != NONE;
    }
}
