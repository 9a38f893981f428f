package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a snapshot can be restored yet. */
public enum SnapshotState {
    IN_PROGRESS,
    COMPLETED,
    FAILED;

    @JsonValue
    public String wire() {
        return Wire.of(this);
    }

    @JsonCreator
    public static SnapshotState parse(String value) {
        return Wire.parse(SnapshotState.class, value);
    }
}
