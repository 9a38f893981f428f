package dev.sluice.control.engine;

import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.model.PipelineSpec;

/**
 * The engine port: compiles pipelines and runs, observes and stops their jobs. Adapters talk to Flink over its REST
 * API, whether the cluster is embedded in this JVM or remote, so nothing here may assume a shared JVM. What is in
 * snapshot storage is the {@link dev.sluice.control.snapshots.SnapshotStore}'s to say.
 */
public interface Engine extends AutoCloseable {

    /** The target's name, as specs name it in {@code spec.target}. */
    String target();

    /**
     * Whether this target's jobs go when the control plane's process ends (a cluster embedded in it): then a job not
     * found after a restart is expected, not lost.
     */
    default boolean stopsWithControlPlane() {
        return false;
    }

    /**
     * Validates a pipeline and compiles it to what {@link #submit} runs (for SQL, a compiled plan). Throws
     * {@link PipelineRejectedException} naming the statement, line and column of each problem.
     */
    CompiledPipeline compile(PipelineSpec spec);

    /**
     * Checks, without running anything, whether the pipeline at the given parallelism can restore the snapshot at
     * {@code snapshotLocation}: which of the snapshot's operators with state the new job graph lacks.
     */
    RestoreCheck checkRestore(CompiledPipeline pipeline, int parallelism, java.util.Map<String, String> flinkConfiguration,
            String snapshotLocation);

    /** The sinks a compiled pipeline writes to. */
    java.util.List<SinkInfo> sinks(CompiledPipeline pipeline);

    /** Submits a job under the given, caller-chosen job id; submitting an id that already runs is not an error. */
    void submit(JobSubmission submission);

    /** What the engine knows of a job right now. */
    JobObservation observe(String jobId);

    /** Stops the job after a savepoint into {@code targetDirectory}; returns the savepoint's location. */
    String stopWithSavepoint(String jobId, String targetDirectory);

    /** Takes a savepoint into {@code targetDirectory} while the job keeps running; returns its location. */
    String triggerSavepoint(String jobId, String targetDirectory);

    /**
     * Cancels the job without a snapshot and returns once it no longer runs (so that a next job never runs beside
     * it); a job that is gone already is not an error.
     */
    void cancel(String jobId);

    @Override
    void close();
}
