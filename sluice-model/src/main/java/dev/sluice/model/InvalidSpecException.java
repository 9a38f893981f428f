package dev.sluice.model;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when user input is rejected; carries every problem found, each naming its place. */
public class InvalidSpecException extends RuntimeException {
    private final List<SpecError> errors;

    public InvalidSpecException(List<SpecError> errors) {
        super(errors.stream().map(SpecError::describe).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public InvalidSpecException(SpecError error) {
        this(List.of(error));
    }

    public List<SpecError> errors() {
        return errors;
    }
}
