package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One problem with user input: the field path, where it stands (1-based line and column, 0 when unknown), and what is wrong. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpecError(String field, int line, int column, String message) {

    /** {@code spec.parallelism (line 9, column 16): must be at least 1}. */
    public String describe() {
        StringBuilder text = new StringBuilder(field == null || field.isEmpty() ? "document" : field);
        if (line > 0) {
            text.append(" (line ").append(line);
            if (column > 0) {
                text.append(", column ").append(column);
            }
            text.append(')');
        }
        return text.append(": ").append(message).toString();
    }
}
