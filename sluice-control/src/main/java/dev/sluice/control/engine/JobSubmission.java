package dev.sluice.control.engine;

import java.time.Duration;
import java.util.Map;

/**
 * Everything needed to start one job: its fixed id (chosen and stored before submitting, so a retry never starts a
 * second job), the pipeline, where checkpoints go, and which snapshot to restore (null: empty state).
 */
public record JobSubmission(
        String jobId,
        String jobName,
        CompiledPipeline pipeline,
        int parallelism,
        Duration checkpointInterval,
        String checkpointDirectory,
        String restorePath,
        boolean allowNonRestoredState,
        Map<String, String> flinkConfiguration) {}
