package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The observed lifecycle phase of a deployment, as reported in {@code status.phase}. */
public enum Phase {
    PENDING(false, "accepted; no job submitted yet"),
    STARTING(false, "a job was submitted and is not yet running"),
    RUNNING(false, "the job runs"),
    FAILING(false, "the job fails and the engine restarts it again and again; see status.error and status.restarts"),
    UPGRADING(false, "moving to a new version"),
    SUSPENDING(false, "taking a savepoint and stopping the job"),
    SUSPENDED(true, "stopped; state kept in a snapshot"),
    ROLLING_BACK(false, "returning to an earlier version"),
    FINISHED(true, "a bounded job ended"),
    CANCELLED(true, "stopped without a snapshot"),
    FAILED(true, "the job or the platform failed; see status.error");

    private final boolean terminal;
    private final String description;

    Phase(boolean terminal, String description) {
        this.terminal = terminal;
        this.description = description;
    }

    /** True when nothing runs and the phase changes only when the desired state does. */
    public boolean terminal() {
        return terminal;
    }

    /** True when the phase needs no prompt attention: terminal, running, or failing (restarts come slowly). */
    public boolean settled() {
        return terminal || this == RUNNING || this == FAILING;
    }

    public String description() {
        return description;
    }

    @JsonValue
    public String wire() {
        return Wire.of(this);
    }

    @JsonCreator
    public static Phase parse(String value) {
        return Wire.parse(Phase.class, value);
    }
}
