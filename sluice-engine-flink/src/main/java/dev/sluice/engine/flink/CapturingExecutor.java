package dev.sluice.engine.flink;

import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;

/**
 * An executor that runs nothing: it hands the pipeline Flink built back to the caller, so Sluice can inspect the job
 * graph of a plan (its operators and their ids) before it is ever submitted. Chosen with
 * {@code execution.target: sluice-capture}; registered as a service.
 */
public final class CapturingExecutor implements PipelineExecutorFactory {
    static final String TARGET = "sluice-capture";

    /** Carries the captured pipeline out of Flink's execute call. */
    static final class Captured extends RuntimeException {
        final transient Pipeline pipeline;
        final transient Configuration configuration;

        Captured(Pipeline pipeline, Configuration configuration) {
            super("pipeline captured", null, false, false);
            this.pipeline = pipeline;
            this.configuration = configuration;
        }
    }

    @Override
    public String getName() {
        return TARGET;
    }

    @Override
    public boolean isCompatibleWith(Configuration configuration) {
        return TARGET.equals(configuration.get(DeploymentOptions.TARGET));
    }

    @Override
    public PipelineExecutor getExecutor(Configuration configuration) {
        return (Pipeline pipeline, Configuration conf, ClassLoader loader) -> {
            CompletableFuture<JobClient> captured = new CompletableFuture<>();
            captured.completeExceptionally(new Captured(pipeline, conf));
            return captured;
        };
    }
}
