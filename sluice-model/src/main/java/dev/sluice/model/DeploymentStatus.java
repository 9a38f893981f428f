package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What Sluice observes of a deployment. {@code version} and {@code jobId} say what runs; {@code error} says why the
 * deployment failed; {@code restoredFrom} names the snapshot the current job started from.
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
        Instant lastTransitionAt) {}
