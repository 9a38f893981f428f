package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.model.PipelineSpec;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What one reconcile pass knows of a deployment: its stored row, the specs of the wanted and the running version, the
 * targets they name, what the engine reports of its job, and the reconciler's own memory of that job. Facts that cost
 * a call to read (the newest retained checkpoint, the newest restore point, whether a periodic savepoint is due) are
 * read when a decision first needs them, once per observation. Immutable: {@link Decisions#next} is a function of it.
 *
 * @param running the running version's spec; null while no version has run
 * @param wantedTarget the target the wanted version names
 * @param currentTarget the target the job runs on (the running version's), else the wanted one
 * @param missingTarget a target the deployment needs that is not configured, or null
 * @param targetNames the configured targets, for messages
 * @param seenAlive this process has seen the job alive (a job that vanishes after that was lost, not left behind)
 * @param uncertainSubmission the job was submitted without an answer from the target
 * @param currentStopsWithControlPlane the current target runs inside this process
 * @param unsaved the deployment carries what the engine reported and the store does not have yet (record counts)
 */
record Observation(
        DeploymentView deployment,
        PipelineSpec wanted,
        Lazy<CompiledPipeline> wantedPlan,
        PipelineSpec running,
        String wantedTarget,
        String currentTarget,
        String missingTarget,
        String targetNames,
        JobObservation job,
        long now,
        boolean seenAlive,
        boolean uncertainSubmission,
        boolean currentStopsWithControlPlane,
        boolean unsaved,
        Lazy<Optional<RetainedSnapshot>> newestCheckpoint,
        Lazy<Optional<RestorePoints.RestorePoint>> newestRestorePoint,
        Lazy<Boolean> periodicSavepointDue) {

    /** A value read on first use and kept. */
    static final class Lazy<T> implements Supplier<T> {
        private Supplier<T> read;
        private T value;

        private Lazy(Supplier<T> read) {
            this.read = read;
        }

        static <T> Lazy<T> of(Supplier<T> read) {
            return new Lazy<>(read);
        }

        static <T> Lazy<T> known(T value) {
            Lazy<T> lazy = new Lazy<>(null);
            lazy.value = value;
            return lazy;
        }

        @Override
        public synchronized T get() {
            if (read != null) {
                value = read.get();
                read = null;
            }
            return value;
        }
    }

    /** True when the newest retained checkpoint was written by the current job (it completed one of its own). */
    boolean jobHasOwnCheckpoint() {
        String jobId = deployment.jobId();
        return jobId != null && newestCheckpoint.get().map(c -> c.location().contains("/" + jobId + "/")).orElse(false);
    }
}
