package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A named, long-lived instance of a pipeline: its current spec (desired) and status (observed). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Deployment(String apiVersion, String kind, ObjectMeta metadata, PipelineSpec spec, DeploymentStatus status) {
    public static Deployment of(ObjectMeta metadata, PipelineSpec spec, DeploymentStatus status) {
        return new Deployment(PipelineDocument.API_VERSION, "Deployment", metadata, spec, status);
    }
}
