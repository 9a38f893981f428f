package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What apply, scale and fork answer: whether the deployment was created, updated or left unchanged, at which version. */
public record ApplyAnswer(Result result, int version, Deployment deployment) {
    /** The outcome of one document. */
    public enum Result {
        CREATED,
        UPDATED,
        UNCHANGED;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
