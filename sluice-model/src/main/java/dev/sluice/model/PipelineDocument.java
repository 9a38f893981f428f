package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A whole pipeline YAML document as a user applies it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PipelineDocument(String apiVersion, String kind, Metadata metadata, PipelineSpec spec) {
    public static final String API_VERSION = "sluice.dev/v1";
    public static final String KIND = "Pipeline";

    public PipelineDocument withDefaults() {
        return new PipelineDocument(apiVersion, kind, metadata.withDefaults(), spec.withDefaults());
    }
}
