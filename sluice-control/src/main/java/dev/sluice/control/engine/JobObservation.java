package dev.sluice.control.engine;

/** What the engine reports of a job: its state, why it failed, and its record counts (null when unknown). */
public record JobObservation(JobState state, String failure, Long recordsIn, Long recordsOut) {
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
