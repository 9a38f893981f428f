package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Automatic rollback of a new version: when it does not reach running within {@code readinessTimeout}, or restarts
 * more than {@code maxRestarts} times within that window, Sluice returns to the last stable version.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RollbackSpec(Boolean enabled, String readinessTimeout, Integer maxRestarts) {
    public static final RollbackSpec DEFAULTS = new RollbackSpec(true, "60s", 3);

    public RollbackSpec withDefaults() {
        return new RollbackSpec(enabled == null ? DEFAULTS.enabled() : enabled,
                readinessTimeout == null ? DEFAULTS.readinessTimeout() : readinessTimeout,
                maxRestarts == null ? DEFAULTS.maxRestarts() : maxRestarts);
    }
}
