package dev.sluice.bench;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.engine.RestoreCheck;
import dev.sluice.control.engine.SinkInfo;
import dev.sluice.control.engine.TargetFactory;
import dev.sluice.model.PipelineSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An engine in this JVM that answers like a Flink session cluster, without running anything: a submitted job starts,
 * runs after {@link #STARTUP}, stops with a savepoint or a cancel; every call takes {@code latency} (a REST round
 * trip). It counts the calls, so a benchmark sees what the control plane asks of an engine. Registered as target type
 * {@code simulated-flink} for benchmarks of the control plane alone.
 */
final class SimulatedFlink implements Engine {
    static final String TYPE = "simulated-flink";
    static final Duration STARTUP = Duration.ofMillis(500);
    /** The engines started, by target name, for the benchmark to read their counts. */
    static final Map<String, SimulatedFlink> STARTED = new ConcurrentHashMap<>();

    private final String target;
    private final long latencyNanos;
    private final Map<String, Long> submittedAt = new ConcurrentHashMap<>();
    private final Map<String, JobState> ended = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong observations = new AtomicLong();

    SimulatedFlink(String target, Duration latency) {
        this.target = target;
        this.latencyNanos = latency.toNanos();
    }

    /** Calls of any kind so far. */
    long calls() {
        return calls.get();
    }

    /** Jobs observed so far. */
    long observations() {
        return observations.get();
    }

    private void call() {
        calls.incrementAndGet();
        if (latencyNanos > 0) {
            LockSupport.parkNanos(latencyNanos);
        }
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public CompiledPipeline compile(PipelineSpec spec) {
        call();
        return new CompiledPipeline("sql", spec.sql() == null ? "" : spec.sql());
    }

    @Override
    public RestoreCheck checkRestore(CompiledPipeline pipeline, int parallelism, Map<String, String> flinkConfiguration,
            String snapshotLocation) {
        call();
        return new RestoreCheck(snapshotLocation, List.of(), List.of());
    }

    @Override
    public List<SinkInfo> sinks(CompiledPipeline pipeline) {
        return List.of();
    }

    @Override
    public void submit(JobSubmission submission) {
        call();
        submittedAt.putIfAbsent(submission.jobId(), System.nanoTime());
    }

    @Override
    public JobObservation observe(String jobId) {
        call();
        observations.incrementAndGet();
        JobState end = ended.get(jobId);
        if (end != null) {
            return new JobObservation(end, null, null, null);
        }
        Long at = submittedAt.get(jobId);
        if (at == null) {
            return JobObservation.notFound();
        }
        JobState state = System.nanoTime() - at < STARTUP.toNanos() ? JobState.STARTING : JobState.RUNNING;
        return new JobObservation(state, null, 0L, 0L);
    }

    @Override
    public String stopWithSavepoint(String jobId, String targetDirectory) {
        call();
        if (!submittedAt.containsKey(jobId) || ended.containsKey(jobId)) {
            throw new EngineException("job " + jobId + " is not running");
        }
        ended.put(jobId, JobState.FINISHED);
        return targetDirectory + "/savepoint-" + jobId;
    }

    @Override
    public String triggerSavepoint(String jobId, String targetDirectory) {
        call();
        return targetDirectory + "/savepoint-" + jobId;
    }

    @Override
    public void cancel(String jobId) {
        call();
        if (submittedAt.containsKey(jobId)) {
            ended.putIfAbsent(jobId, JobState.CANCELLED);
        }
    }

    @Override
    public void close() {
        STARTED.remove(target, this);
    }

    /** Makes {@code simulated-flink} targets; {@code -Dsim.latencyMs} sets the time each call takes (default 1). */
    public static final class Factory implements TargetFactory {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Started start(Settings settings) {
            SimulatedFlink engine = new SimulatedFlink(settings.name(),
                    Duration.ofMillis(Long.getLong("sim.latencyMs", 1)));
            STARTED.put(settings.name(), engine);
            return new Started(engine, Map.of("type", TYPE), Optional.of(Map.of()), () -> { });
        }
    }
}
