package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** Identity of a resource: name and namespace (lower-case DNS labels) and free-form labels. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Metadata(String name, String namespace, Map<String, String> labels) {
    public static final String DEFAULT_NAMESPACE = "default";

    public Metadata withDefaults() {
        return new Metadata(name, namespace == null ? DEFAULT_NAMESPACE : namespace, labels == null ? Map.of() : labels);
    }
}
