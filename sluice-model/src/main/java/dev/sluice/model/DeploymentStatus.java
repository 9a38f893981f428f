package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What Sluice observes of a deployment. {@code version} and {@code jobId} say what runs; {@code error} says why the
 * deployment failed; {@code restoredFrom} names the snapshot the current job started from; {@code restarts} counts the engine's
 * restarts of the running version's jobs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentStatus(
        Phase phase,
        Integer version,
        String jobId,
        String error,
        String restoredFrom,
        Long recordsIn,
        Long recordsOut,
        Instant lastTransitionAt,
        Integer restarts) {

    public DeploymentStatus(Phase phase, Integer version, String jobId, String error, String restoredFrom,
            Long recordsIn, Long recordsOut, Instant lastTransitionAt) {
        this(phase, version, jobId, error, restoredFrom, recordsIn, recordsOut, lastTransitionAt, null);
    }
}
