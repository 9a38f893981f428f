package dev.sluice.control.engine;

/**
 * The engine could not be reached at all (connection refused, no answer): nothing is known about what it did, so the
 * caller must neither assume success nor give up; it asks again later.
 */
public class EngineUnreachableException extends EngineException {
    public EngineUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
