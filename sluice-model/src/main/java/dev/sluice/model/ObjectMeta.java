package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/** Metadata of a stored resource as the API returns it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectMeta(String name, String namespace, Map<String, String> labels, Instant createdAt, Instant updatedAt) {}
