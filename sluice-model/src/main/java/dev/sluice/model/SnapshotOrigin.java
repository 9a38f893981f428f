package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Why a snapshot exists. */
public enum SnapshotOrigin {
    USER,
    SUSPEND,
    UPGRADE,
    PERIODIC,
    CHECKPOINT,
    BOOTSTRAP,
    COPIED;

    @JsonValue
    public String wire() {
        return Wire.of(this);
    }

    @JsonCreator
    public static SnapshotOrigin parse(String value) {
        return Wire.parse(SnapshotOrigin.class, value);
    }
}
