package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One problem with user input: the field path, where it stands (1-based line and column, 0 when unknown), what is
 * wrong, and in a file of several YAML documents which one (1-based; null in a file of one).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpecError(String field, int line, int column, String message, Integer document) {

    public SpecError(String field, int line, int column, String message) {
        this(field, line, column, message, null);
    }

    /** This error, said of document {@code n} of a file. */
    public SpecError inDocument(int n) {
        return new SpecError(field, line, column, message, n);
    }

    /** {@code document 2: spec.parallelism (line 9, column 16): must be at least 1}. */
    public String describe() {
        StringBuilder text = new StringBuilder(document == null ? "" : "document " + document + ": ");
        text.append(field == null || field.isEmpty() ? "document" : field);
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
