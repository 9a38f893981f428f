package dev.sluice.control.engine;

/**
 * A snapshot that was listed is gone when read: Flink subsumed (deleted) a retained checkpoint as newer ones
 * completed. The caller looks for the newest restore point again.
 */
public class SnapshotGoneException extends EngineException {
    public SnapshotGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
