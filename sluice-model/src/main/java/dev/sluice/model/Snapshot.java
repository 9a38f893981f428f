package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** A savepoint or retained checkpoint of a deployment, with why it exists and where it lies. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Snapshot(
        String id,
        String namespace,
        String deployment,
        Integer version,
        SnapshotOrigin origin,
        SnapshotState state,
        String location,
        Long sizeBytes,
        String jobId,
        String error,
        Instant createdAt,
        Instant completedAt) {}
