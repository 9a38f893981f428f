package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How much a changed field asks of a running job, in increasing order: nothing, a new desired state, a rescale
 * (redistribute state to a new parallelism), or a new job graph.
 */
public enum DiffType {
    IGNORE,
    STATE,
    SCALE,
    UPGRADE;

    @JsonValue
    public String wire() {
        return Wire.of(this);
    }
}
