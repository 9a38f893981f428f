package dev.sluice.control.lifecycle;

/** The request is valid but cannot be done in the resource's current state (for example a snapshot of a suspended deployment). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
