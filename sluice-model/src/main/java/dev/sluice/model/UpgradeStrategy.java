package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a running deployment moves to a new version: through a savepoint, by a restart from empty state, or not at all. */
public enum UpgradeStrategy {
    STATEFUL,
    STATELESS,
    NONE;

    @JsonValue
    public String wire() {
        return Wire.of(this);
    }

    @JsonCreator
    public static UpgradeStrategy parse(String value) {
        return Wire.parse(UpgradeStrategy.class, value);
    }
}
