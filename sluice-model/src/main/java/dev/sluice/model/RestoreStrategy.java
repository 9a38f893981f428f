package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Which snapshot a (re)started job restores: the newest of savepoints and retained checkpoints, the newest savepoint, or none. */
public enum RestoreStrategy {
    LATEST_STATE,
    LATEST_SAVEPOINT,
    NONE;

    @JsonValue
    public String wire() {
        return Wire.of(this);
    }

    @JsonCreator
    public static RestoreStrategy parse(String value) {
        return Wire.parse(RestoreStrategy.class, value);
    }
}
