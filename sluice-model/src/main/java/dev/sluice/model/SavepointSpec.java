package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The snapshot catalog of a deployment: take a savepoint every {@code periodic} (none when absent), keep at most
 * {@code retainCount} snapshots and none older than {@code retainAge} — never deleting the newest completed one nor
 * any a version, fork or pending action still needs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SavepointSpec(String periodic, Integer retainCount, String retainAge) {}
