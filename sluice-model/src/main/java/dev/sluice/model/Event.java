package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An append-only record of a lifecycle transition or a decision: what happened ({@code reason}, {@code message}),
 * to which deployment and version, and who or what caused it ({@code actor}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(
        long id,
        String namespace,
        String deployment,
        Integer version,
        Type type,
        String reason,
        String message,
        String actor,
        Instant time) {

    /** Normal events record progress; warnings record failures and refusals. */
    public enum Type {
        NORMAL,
        WARNING;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return Wire.of(this);
        }
    }
}
