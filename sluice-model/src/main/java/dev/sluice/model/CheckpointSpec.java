package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Checkpointing of a pipeline; {@code interval} is a duration such as {@code 10s}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckpointSpec(String interval) {
    public static final String DEFAULT_INTERVAL = "10s";
}
