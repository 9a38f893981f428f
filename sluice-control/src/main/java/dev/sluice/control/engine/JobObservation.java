package dev.sluice.control.engine;

/**
 * What the engine reports of a job: its state, why it failed, its record counts, and when the engine last restarted it
 * (null when unknown or never).
 */
public record JobObservation(JobState state, String failure, Long recordsIn, Long recordsOut, Long lastRestartAt) {
    public JobObservation(JobState state, String failure, Long recordsIn, Long recordsOut) {
        this(state, failure, recordsIn, recordsOut, null);
    }

    public static JobObservation notFound() {
        return new JobObservation(JobState.NOT_FOUND, null, null, null);
    }

    /** The engine-independent states of a job. */
    public enum JobState {
        NOT_FOUND,
        STARTING,
        RUNNING,
        RESTARTING,
        FINISHED,
        FAILED,
        CANCELLED,
        UNREACHABLE;

        public boolean alive() {
            return this == STARTING || this == RUNNING || this == RESTARTING;
        }
    }
}
