package dev.sluice.control.lifecycle;

/**
 * Labelled steps of the lifecycle where a crash test can stop the control plane dead (see docs/architecture.md for
 * the list). In production nothing happens there.
 */
public interface FaultPoints {
    FaultPoints NONE = label -> { };

    /** The reconciler reached the step {@code label}, such as {@code suspend.before-savepoint}. */
    void reached(String label);
}
