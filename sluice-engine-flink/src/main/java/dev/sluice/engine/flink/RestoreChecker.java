package dev.sluice.engine.flink;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.engine.SnapshotGoneException;
import dev.sluice.control.engine.RestoreCheck;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.PlanReference;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.util.ExceptionUtils;

/**
 * The pre-flight state check: builds the job graph a plan would run (without running it) and matches it against the
 * operators a snapshot holds state for, the way Flink matches them at restore: by operator id.
 */
final class RestoreChecker {

    RestoreCheck check(CompiledPipeline pipeline, Configuration jobConfiguration, int parallelism,
            String snapshotLocation) {
        CheckpointMetadata metadata = readMetadata(snapshotLocation);
        JobGraph graph = JarPrograms.KIND.equals(pipeline.kind())
                ? JarPrograms.jobGraph(pipeline, jobConfiguration, parallelism, null)
                : jobGraph(pipeline, jobConfiguration);
        Set<OperatorID> present = new HashSet<>();
        List<String> problems = new ArrayList<>();
        java.util.Map<OperatorID, JobVertex> vertexOf = new java.util.HashMap<>();
        for (JobVertex vertex : graph.getVertices()) {
            for (OperatorIDPair ids : vertex.getOperatorIDs()) {
                present.add(ids.getGeneratedOperatorID());
                vertexOf.put(ids.getGeneratedOperatorID(), vertex);
                ids.getUserDefinedOperatorID().ifPresent(id -> {
                    present.add(id);
                    vertexOf.put(id, vertex);
                });
            }
        }
        List<String> dropped = new ArrayList<>();
        for (OperatorState state : metadata.getOperatorStates()) {
            boolean hasState = state.getCoordinatorState() != null
                    || state.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
            if (!hasState || state.isFullyFinished()) {
                continue; // nothing to restore
            }
            if (!present.contains(state.getOperatorID())) {
                dropped.add(describe(state));
                continue;
            }
            JobVertex vertex = vertexOf.get(state.getOperatorID());
            int vertexParallelism = vertex.getParallelism() > 0 ? vertex.getParallelism() : parallelism;
            if (vertexParallelism > state.getMaxParallelism()) {
                problems.add(describe(state) + " was written with max parallelism " + state.getMaxParallelism()
                        + "; the new parallelism " + vertexParallelism + " is higher");
            }
        }
        return new RestoreCheck(snapshotLocation, dropped, problems);
    }

    private static String describe(OperatorState state) {
        String name = state.getOperatorName().orElse("operator");
        return "'" + name + "' (" + state.getOperatorUid().map(uid -> "uid " + uid + ", ").orElse("")
                + "id " + state.getOperatorID() + ")";
    }

    private static CheckpointMetadata readMetadata(String location) {
        Path metadata = new Path(location, "_metadata");
        try (FSDataInputStream in = metadata.getFileSystem().open(metadata);
                DataInputStream data = new DataInputStream(in)) {
            return Checkpoints.loadCheckpointMetadata(data, RestoreChecker.class.getClassLoader(), location);
        } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new SnapshotGoneException("snapshot " + location + " is gone: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new EngineException("cannot read snapshot " + location + ": " + e.getMessage(), e);
        }
    }

    private static JobGraph jobGraph(CompiledPipeline pipeline, Configuration jobConfiguration) {
        Configuration conf = new Configuration(jobConfiguration);
        conf.set(DeploymentOptions.TARGET, CapturingExecutor.TARGET);
        try {
            TableEnvironment tEnv = TableEnvironment.create(
                    EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
            tEnv.executePlan(PlanReference.fromJsonString(pipeline.plan()));
        } catch (RuntimeException e) {
            CapturingExecutor.Captured captured = ExceptionUtils.findThrowable(e, CapturingExecutor.Captured.class)
                    .orElseThrow(() -> new EngineException("cannot build the job graph: " + e.getMessage(), e));
            try {
                StreamGraph streamGraph = PipelineExecutorUtils.getStreamGraph(captured.pipeline, captured.configuration);
                return streamGraph.getJobGraph(RestoreChecker.class.getClassLoader());
            } catch (Exception inner) {
                throw new EngineException("cannot build the job graph: " + inner.getMessage(), inner);
            }
        }
        throw new EngineException("the plan ran instead of being captured");
    }
}
