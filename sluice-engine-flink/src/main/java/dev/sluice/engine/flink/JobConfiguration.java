package dev.sluice.engine.flink;

import dev.sluice.control.engine.JobSubmission;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;

/** The Flink configuration of one submitted job: Sluice's defaults, the target's options, the spec's, then what Sluice owns. */
final class JobConfiguration {
    private JobConfiguration() {}

    /** Defaults a target starts from; a target's configuration and a spec's {@code flinkConfiguration} override them. */
    static Configuration defaults() {
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
        return c;
    }

    static Configuration forSubmission(Configuration base, JobSubmission s) {
        Configuration c = new Configuration(base);
        c.addAll(Configuration.fromMap(s.flinkConfiguration()));
        // What follows is Sluice's to decide: a spec cannot move its own checkpoints or job id.
        c.set(DeploymentOptions.TARGET, "remote");
        c.set(DeploymentOptions.ATTACHED, false);
        c.set(PipelineOptions.NAME, s.jobName());
        c.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, s.jobId());
        c.set(CoreOptions.DEFAULT_PARALLELISM, s.parallelism());
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, s.checkpointInterval());
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, s.checkpointDirectory());
        if (s.restorePath() != null) {
            c.set(StateRecoveryOptions.SAVEPOINT_PATH, s.restorePath());
            c.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, s.allowNonRestoredState());
        } else {
            c.removeConfig(StateRecoveryOptions.SAVEPOINT_PATH);
        }
        return c;
    }
}
