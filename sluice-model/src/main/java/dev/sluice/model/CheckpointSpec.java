package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Checkpointing of a pipeline: {@code interval} is a duration such as {@code 10s}; {@code fallbackMaxAge} is how old a
 * retained checkpoint may be for a stateful upgrade of a job that cannot take a savepoint (default 5m).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointSpec(String interval, String fallbackMaxAge) {
    public static final String DEFAULT_INTERVAL = "10s";
    public static final String DEFAULT_FALLBACK_MAX_AGE = "5m";

    public CheckpointSpec withDefaults() {
        return new CheckpointSpec(interval == null ? DEFAULT_INTERVAL : interval,
                fallbackMaxAge == null ? DEFAULT_FALLBACK_MAX_AGE : fallbackMaxAge);
    }

    public String fallbackMaxAgeOrDefault() {
        return fallbackMaxAge == null ? DEFAULT_FALLBACK_MAX_AGE : fallbackMaxAge;
    }
}
