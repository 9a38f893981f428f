package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What the user wants a deployment to be: running, suspended (state kept in a snapshot) or cancelled. */
public enum DesiredState {
    RUNNING,
    SUSPENDED,
    CANCELLED;

    @JsonValue
    public String wire() {
        return Wire.of(this);
    }

    @JsonCreator
    public static DesiredState parse(String value) {
        return Wire.parse(DesiredState.class, value);
    }
}
