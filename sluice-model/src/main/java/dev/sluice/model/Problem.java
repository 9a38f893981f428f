package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** An RFC 9457 problem document: the body of every API error. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<SpecError> errors) {
    public static final String CONTENT_TYPE = "application/problem+json";

    public static Problem of(String slug, String title, int status, String detail, String instance, List<SpecError> errors) {
        return new Problem("https://sluice.dev/problems/" + slug, title, status, detail, instance, errors);
    }
}
