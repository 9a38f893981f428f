package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** One immutable, accepted spec of a deployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentVersion(String namespace, String deployment, int version, PipelineSpec spec, Instant createdAt) {}
