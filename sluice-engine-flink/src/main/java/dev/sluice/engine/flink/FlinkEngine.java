package dev.sluice.engine.flink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.engine.EngineUnreachableException;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.engine.PipelineRejectedException;
import dev.sluice.control.engine.RestoreCheck;
import dev.sluice.control.engine.SinkInfo;
import dev.sluice.control.lifecycle.JobIds;
import dev.sluice.model.SpecError;
import dev.sluice.model.PipelineSpec;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.messages.FlinkJobNotFoundException;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.util.RestClientException;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.PlanReference;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine port over a Flink cluster's REST API. The embedded MiniCluster and a remote session cluster are driven
 * the same way: plans are turned into job graphs here and submitted over REST, so no job shares Sluice's JVM by
 * assumption.
 */
public class FlinkEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkEngine.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(10);

    private final String target;
    private final URI rest;
    private final Configuration base;
    private final RestClusterClient<String> client;
    private final SqlCompiler compiler = new SqlCompiler();
    private final RestoreChecker restoreChecker = new RestoreChecker();
    /** A session cluster elsewhere (connectors shipped with SQL jobs), not the MiniCluster in this JVM. */
    private final boolean remote;
    private final RestJson restJson;
    private final JobRecords records;

    /**
     * A Flink cluster in this JVM (the embedded MiniCluster): it has Sluice's classpath, and its jobs end with the
     * process.
     *
     * @param base Flink options every job of this target gets (state backend, memory, ...); a spec's
     *     {@code flinkConfiguration} is applied on top.
     */
    public FlinkEngine(String target, URI rest, Configuration base) {
        this(target, rest, base, false);
    }

    /**
     * A Flink session cluster elsewhere: it has a Flink distribution, not Sluice's classpath, so each SQL job carries
     * the jars of the connectors its plan uses.
     *
     * @param options Flink options for every job of this target, over Sluice's defaults
     */
    public static FlinkEngine remote(String target, URI rest, Map<String, String> options) {
        Configuration conf = JobConfiguration.defaults();
        conf.addAll(Configuration.fromMap(options));
        return new FlinkEngine(target, rest, conf, true);
    }

    private FlinkEngine(String target, URI rest, Configuration base, boolean remote) {
        this.target = target;
        this.remote = remote;
        this.rest = rest;
        this.restJson = new RestJson(rest);
        this.records = new JobRecords(restJson);
        this.base = new Configuration(base);
        this.base.set(RestOptions.ADDRESS, rest.getHost());
        this.base.set(RestOptions.PORT, rest.getPort());
        // Fail fast when the cluster is down: the reconciler asks again next pass, and a client that retries for a
        // minute would hold up every other deployment meanwhile.
        this.base.set(RestOptions.RETRY_MAX_ATTEMPTS, 0);
        this.base.set(RestOptions.CONNECTION_TIMEOUT, Duration.ofSeconds(5));
        try {
            this.client = new RestClusterClient<>(this.base, target);
        } catch (Exception e) {
            throw new EngineException("cannot create a REST client for " + rest, e);
        }
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public boolean stopsWithControlPlane() {
        return !remote;
    }

    public URI restAddress() {
        return rest;
    }

    @Override
    public CompiledPipeline compile(PipelineSpec given) {
        PipelineSpec spec = given.withDefaults();
        if (spec.jar() != null) {
            Configuration conf = new Configuration(base);
            conf.addAll(Configuration.fromMap(spec.flinkConfiguration()));
            return JarPrograms.compile(spec.jar(), conf, spec.parallelism());
        }
        return compiler.compile(spec.sql(), spec.flinkConfiguration());
    }

    @Override
    public RestoreCheck checkRestore(CompiledPipeline pipeline, int parallelism, Map<String, String> flinkConfiguration,
            String snapshotLocation) {
        JobSubmission probe = new JobSubmission(JobIds.of("restore-check", 0), "restore check", pipeline, parallelism,
                Duration.ofMinutes(1), "file:///nonexistent", null, false, flinkConfiguration);
        return restoreChecker.check(pipeline, JobConfiguration.forSubmission(base, probe), parallelism, snapshotLocation);
    }

    @Override
    public List<SinkInfo> sinks(CompiledPipeline pipeline) {
        return JarPrograms.KIND.equals(pipeline.kind()) ? List.of() : PlanSinks.of(pipeline);
    }

    @Override
    public void submit(JobSubmission s) {
        Configuration conf = JobConfiguration.forSubmission(base, s);
        long started = System.nanoTime();
        try {
            String submitted;
            if (JarPrograms.KIND.equals(s.pipeline().kind())) {
                JobGraph graph = JarPrograms.jobGraph(s.pipeline(), conf, s.parallelism(), JobID.fromHexString(s.jobId()));
                submitted = await("submitting job " + s.jobId(), client.submitJob(graph), CALL_TIMEOUT).toHexString();
            } else if (CompiledPipeline.SQL_PLAN.equals(s.pipeline().kind())) {
                if (remote) {
                    conf.set(PipelineOptions.JARS, ConnectorJars.forPlan(s.pipeline()));
                }
                TableEnvironment tEnv = TableEnvironment.create(
                        EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
                TableResult result = tEnv.executePlan(PlanReference.fromJsonString(s.pipeline().plan()));
                submitted = result.getJobClient().map(c -> c.getJobID().toHexString()).orElse(s.jobId());
            } else {
                throw new EngineException("cannot run a pipeline of kind " + s.pipeline().kind());
            }
            LOG.info("submitted job {} ({}) to {} in {} ms{}", submitted, s.jobName(), target,
                    (System.nanoTime() - started) / 1_000_000,
                    s.restorePath() == null ? "" : ", restoring " + s.restorePath());
        } catch (RuntimeException e) {
            if (ExceptionUtils.findThrowableWithMessage(e, "already been submitted").isPresent()
                    || ExceptionUtils.findThrowable(e, org.apache.flink.runtime.client.DuplicateJobSubmissionException.class)
                            .isPresent()) {
                LOG.info("job {} was submitted before; adopting it", s.jobId());
                return;
            }
            if (unreachable(e)) {
                throw new EngineUnreachableException("cannot reach " + target + " at " + rest + " to submit job "
                        + s.jobId(), e);
            }
            throw new EngineException(ExceptionUtils.stripException(e, RuntimeException.class).getMessage(), e);
        }
    }

    /** A failure to connect at all, as opposed to an answer that refuses. */
    private static boolean unreachable(Throwable e) {
        return ExceptionUtils.findThrowable(e, java.net.ConnectException.class).isPresent()
                || ExceptionUtils.findThrowable(e, java.nio.channels.ClosedChannelException.class).isPresent()
                || ExceptionUtils.findThrowable(e, TimeoutException.class).isPresent();
    }

    @Override
    public JobObservation observe(String jobId) {
        JobDetailsInfo details;
        try {
            details = client.getJobDetails(JobID.fromHexString(jobId)).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (isNotFound(e)) {
                return JobObservation.notFound();
            }
            LOG.debug("cannot observe job {} on {}", jobId, target, e);
            return new JobObservation(JobState.UNREACHABLE, e.getCause().getMessage(), null, null);
        } catch (TimeoutException e) {
            return new JobObservation(JobState.UNREACHABLE, "no answer from " + rest, null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new JobObservation(JobState.UNREACHABLE, "interrupted", null, null);
        }
        JobState state = state(details);
        Long restarted = details.getTimestamps().get(JobStatus.RESTARTING);
        boolean restartedOnce = restarted != null && restarted > 0;
        String failure = state == JobState.FAILED ? failure(jobId)
                : state == JobState.RESTARTING || restartedOnce && state != JobState.RUNNING ? latestException(jobId)
                : null;
        JobRecords.Counts counts = JobRecords.Counts.UNKNOWN;
        if (details.getJobStatus().isGloballyTerminalState()) {
            records.forget(jobId);
        } else {
            counts = records.of(jobId, details.getJobVertexInfos().stream()
                    .map(v -> new JobRecords.Vertex(v.getJobVertexID().toString(), v.getName())).toList());
        }
        return new JobObservation(state, failure, counts.in(), counts.out(), restartedOnce ? restarted : null);
    }

    private static JobState state(JobDetailsInfo details) {
        JobStatus status = details.getJobStatus();
        return switch (status) {
            case INITIALIZING, CREATED, RECONCILING -> JobState.STARTING;
            case RUNNING -> allTasksRunning(details) ? JobState.RUNNING : JobState.STARTING;
            case FAILING, RESTARTING, CANCELLING, SUSPENDED -> JobState.RESTARTING;
            case FINISHED -> JobState.FINISHED;
            case FAILED -> JobState.FAILED;
            case CANCELED -> JobState.CANCELLED;
        };
    }

    /** A savepoint needs every task running (finished tasks of bounded sources are fine). */
    private static boolean allTasksRunning(JobDetailsInfo details) {
        return details.getJobVertexInfos().stream().allMatch(v -> v.getExecutionState() == ExecutionState.RUNNING
                || v.getExecutionState() == ExecutionState.FINISHED);
    }

    /**
     * Why a job that is still alive last failed (it restarts): the innermost cause of the newest entry of its exception
     * history, which names what went wrong (the wrappers name only where).
     */
    private String latestException(String jobId) {
        try {
            JsonNode entry = restJson.object("/jobs/" + jobId + "/exceptions?maxExceptions=1")
                    .map(b -> b.path("exceptionHistory").path("entries").path(0)).orElse(null);
            if (entry == null || entry.isMissingNode()) {
                return "unknown cause";
            }
            String trace = entry.path("stacktrace").asText("");
            String cause = trace.lines().filter(l -> l.startsWith("Caused by: ")).reduce((a, b) -> b)
                    .map(l -> l.substring("Caused by: ".length())).orElse(firstLine(trace));
            return cause.isBlank() ? entry.path("exceptionName").asText("unknown cause") : cause;
        } catch (IOException e) {
            return "unknown cause (" + e.getMessage() + ")";
        }
    }

    private String failure(String jobId) {
        try {
            JobResult result = client.requestJobResult(JobID.fromHexString(jobId))
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return result.getSerializedThrowable()
                    .map(t -> firstLine(t.getFullStringifiedStackTrace()))
                    .orElse("unknown cause");
        } catch (Exception e) {
            return "unknown cause (" + e.getMessage() + ")";
        }
    }

    @Override
    public String stopWithSavepoint(String jobId, String targetDirectory) {
        long started = System.nanoTime();
        String location = await("stop-with-savepoint of job " + jobId, client.stopWithSavepoint(
                JobID.fromHexString(jobId), false, targetDirectory, SavepointFormatType.CANONICAL), SAVEPOINT_TIMEOUT);
        LOG.info("stopped job {} with savepoint {} in {} ms", jobId, location, (System.nanoTime() - started) / 1_000_000);
        return location;
    }

    @Override
    public String triggerSavepoint(String jobId, String targetDirectory) {
        return await("savepoint of job " + jobId, client.triggerSavepoint(
                JobID.fromHexString(jobId), targetDirectory, SavepointFormatType.CANONICAL), SAVEPOINT_TIMEOUT);
    }

    @Override
    public void cancel(String jobId) {
        JobID id = JobID.fromHexString(jobId);
        try {
            client.cancel(id).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            // Flink acknowledges when cancelling starts; wait until the job is really gone.
            long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
            while (!client.getJobStatus(id).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isGloballyTerminalState()) {
                if (System.nanoTime() > deadline) {
                    throw new EngineException("job " + jobId + " did not stop within " + CALL_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        } catch (ExecutionException e) {
            if (!isNotFound(e)) {
                throw new EngineException("cancelling job " + jobId + " failed: " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new EngineException("cancelling job " + jobId + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted", e);
        }
    }

    private static <T> T await(String what, java.util.concurrent.CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new EngineException(what + " failed: " + firstLine(ExceptionUtils.stringifyException(
                    ExceptionUtils.stripExecutionException(e))), e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new EngineException(what + " timed out after " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(what + " was interrupted", e);
        }
    }

    private static boolean isNotFound(Throwable e) {
        return ExceptionUtils.findThrowable(e, FlinkJobNotFoundException.class).isPresent()
                || ExceptionUtils.findThrowable(e, RestClientException.class)
                        .map(r -> r.getHttpResponseStatus().code() == 404).orElse(false)
                || ExceptionUtils.findThrowableWithMessage(e, "Could not find Flink job").isPresent();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * The cluster's own Flink configuration as its JobManager reports it ({@code GET /jobmanager/config}); empty when
     * the cluster does not answer within a few seconds.
     */
    public Optional<Map<String, String>> clusterConfiguration() {
        try {
            return restJson.array("/jobmanager/config").map(entries -> {
                Map<String, String> options = new java.util.LinkedHashMap<>();
                entries.forEach(e -> options.put(e.path("key").asText(), e.path("value").asText()));
                return options;
            });
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** For tests and benchmarks: the options every job of this target gets. */
    public Map<String, String> baseConfiguration() {
        return base.toMap();
    }
}
