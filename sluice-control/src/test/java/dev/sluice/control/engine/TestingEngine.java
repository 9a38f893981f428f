package dev.sluice.control.engine;

import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.snapshots.SnapshotLayout;
import dev.sluice.control.snapshots.TestingSnapshots;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.model.Json;
import dev.sluice.model.PipelineSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory {@link Engine} for tests: jobs live in a map (job id to state), every call is recorded, and a test
 * decides what the engine reports, when it forgets its jobs (a restart), and when a savepoint fails. Thread-safe, so a
 * reconciler thread and a test thread may share it.
 */
public final class TestingEngine implements Engine {

    /** One savepoint the engine was asked for, and the location it answered (null when it failed). */
    public record SavepointCall(String jobId, String targetDirectory, String location) {}

    private final String target;
    private final Clock clock;
    private final Map<String, JobState> jobs = new LinkedHashMap<>();
    private final Map<String, String> failures = new HashMap<>();
    private final Map<String, long[]> records = new HashMap<>();
    private final Map<String, Long> lastRestartAt = new HashMap<>();
    private final List<PipelineSpec> compiled = new ArrayList<>();
    private final List<JobSubmission> submissions = new ArrayList<>();
    private final Map<String, List<String>> aliveWhenSubmitted = new HashMap<>();
    private final List<SavepointCall> stopWithSavepointCalls = new ArrayList<>();
    private final List<SavepointCall> triggerSavepointCalls = new ArrayList<>();
    private final List<String> cancelled = new ArrayList<>();
    /** Where its jobs' savepoints and checkpoints go. */
    private final TestingSnapshots storage;
    private final List<String> restoreChecks = new ArrayList<>();
    private List<String> droppedOnRestore = List.of();
    private JobState submittedJobsStartAs = JobState.STARTING;
    private PipelineRejectedException rejectNextCompile;
    private EngineException failNextSubmit;
    private EngineException failNextSavepoint;
    private boolean unreachable;
    private Map.Entry<String, RetainedSnapshot> subsumeOnNextCheck;
    private boolean closed;
    private int savepointCount;
    private int observeCalls;

    /** An engine for the {@code embedded} target. */
    private boolean stopsWithControlPlane;

    public TestingEngine(Clock clock) {
        this(PipelineSpec.EMBEDDED_TARGET, clock);
    }

    public TestingEngine(String target, Clock clock) {
        this(target, clock, new TestingSnapshots(new SnapshotLayout("file:///tmp/sluice-test")));
    }

    public TestingEngine(Clock clock, TestingSnapshots storage) {
        this(PipelineSpec.EMBEDDED_TARGET, clock, storage);
    }

    /** An engine whose jobs write their snapshots to {@code storage}. */
    public TestingEngine(String target, Clock clock, TestingSnapshots storage) {
        this.target = target;
        this.clock = clock;
        this.storage = storage;
    }

    // --- the Engine port

    @Override
    public String target() {
        return target;
    }

    @Override
    public synchronized boolean stopsWithControlPlane() {
        return stopsWithControlPlane;
    }

    /** Makes this engine one whose jobs end with the control plane's process, as an embedded cluster's do. */
    public synchronized void stopsWithControlPlane(boolean stops) {
        stopsWithControlPlane = stops;
    }

    @Override
    public synchronized CompiledPipeline compile(PipelineSpec spec) {
        if (rejectNextCompile != null) {
            PipelineRejectedException e = rejectNextCompile;
            rejectNextCompile = null;
            throw e;
        }
        compiled.add(spec);
        return planOf(spec);
    }

    /** The dummy plan {@link #compile} returns for a spec. */
    public static CompiledPipeline planOf(PipelineSpec spec) {
        return new CompiledPipeline(CompiledPipeline.SQL_PLAN, "{\"sql\":" + Json.write(spec.sql()) + "}");
    }

    @Override
    public synchronized void submit(JobSubmission submission) {
        if (failNextSubmit != null) {
            EngineException e = failNextSubmit;
            failNextSubmit = null;
            throw e;
        }
        submissions.add(submission);
        aliveWhenSubmitted.putIfAbsent(submission.jobId(), aliveJobs());
        jobs.putIfAbsent(submission.jobId(), submittedJobsStartAs);
    }

    @Override
    public synchronized JobObservation observe(String jobId) {
        observeCalls++;
        if (unreachable) {
            return new JobObservation(JobState.UNREACHABLE, null, null, null);
        }
        JobState state = jobs.get(jobId);
        if (state == null) {
            return JobObservation.notFound();
        }
        long[] counts = records.get(jobId);
        return new JobObservation(state, failures.get(jobId), counts == null ? null : counts[0],
                counts == null ? null : counts[1], lastRestartAt.get(jobId));
    }

    /** Answers like Flink: the job must run; it ends FINISHED and the savepoint lies in the target directory. */
    @Override
    public synchronized String stopWithSavepoint(String jobId, String targetDirectory) {
        String location = savepoint(jobId, targetDirectory, stopWithSavepointCalls);
        jobs.put(jobId, JobState.FINISHED);
        return location;
    }

    @Override
    public synchronized String triggerSavepoint(String jobId, String targetDirectory) {
        return savepoint(jobId, targetDirectory, triggerSavepointCalls);
    }

    private String savepoint(String jobId, String targetDirectory, List<SavepointCall> calls) {
        if (failNextSavepoint != null) {
            EngineException e = failNextSavepoint;
            failNextSavepoint = null;
            calls.add(new SavepointCall(jobId, targetDirectory, null));
            throw e;
        }
        if (jobs.get(jobId) != JobState.RUNNING) {
            calls.add(new SavepointCall(jobId, targetDirectory, null));
            throw new EngineException("job " + jobId + " is " + jobs.get(jobId) + ", not running");
        }
        savepointCount++;
        String location = targetDirectory + "/savepoint-" + savepointCount;
        storage.putSavepoint(targetDirectory, new RetainedSnapshot(location, clock.instant(), 1000L * savepointCount));
        calls.add(new SavepointCall(jobId, targetDirectory, location));
        return location;
    }

    @Override
    public synchronized void cancel(String jobId) {
        if (unreachable) {
            throw new EngineUnreachableException("target " + target + " does not answer", null);
        }
        cancelled.add(jobId);
        JobState state = jobs.get(jobId);
        if (state != null && state.alive()) {
            jobs.put(jobId, JobState.CANCELLED);
        }
    }

    @Override
    public synchronized RestoreCheck checkRestore(CompiledPipeline pipeline, int parallelism,
            Map<String, String> flinkConfiguration, String snapshotLocation) {
        restoreChecks.add(snapshotLocation);
        if (subsumeOnNextCheck != null) {
            retainCheckpoint(subsumeOnNextCheck.getKey(), subsumeOnNextCheck.getValue());
            subsumeOnNextCheck = null;
            throw new SnapshotGoneException("snapshot " + snapshotLocation + " is gone", null);
        }
        return new RestoreCheck(snapshotLocation, droppedOnRestore, List.of());
    }

    /**
     * As Flink does while a job runs: the next {@link #checkRestore} finds its checkpoint deleted, replaced by a newer
     * one in the same directory.
     */
    public synchronized void subsumeOnNextRestoreCheck(String checkpointDirectory, RetainedSnapshot newer) {
        subsumeOnNextCheck = Map.entry(checkpointDirectory, newer);
    }

    /** Makes every later {@link #checkRestore} report these operators' state as dropped. */
    public synchronized void dropOnRestore(List<String> operators) {
        droppedOnRestore = List.copyOf(operators);
    }

    /** The snapshot locations checked before restores, in order. */
    public synchronized List<String> restoreChecks() {
        return List.copyOf(restoreChecks);
    }

    @Override
    public List<SinkInfo> sinks(CompiledPipeline pipeline) {
        return List.of(new SinkInfo("out", "kafka", pipeline.plan() + "-out", List.of()));
    }

    /** The snapshot directories deleted from its storage, in order. */
    public List<String> deletedSnapshots() {
        return storage.deleted();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    // --- what a test makes the engine do

    /** Sets what the engine reports for a job (adding the job if it does not know it). */
    public synchronized void setJobState(String jobId, JobState state) {
        jobs.put(jobId, state);
    }

    /** Marks a job FAILED with a reason. */
    public synchronized void failJob(String jobId, String failure) {
        jobs.put(jobId, JobState.FAILED);
        failures.put(jobId, failure);
    }

    /** Sets the record counts the engine reports for a job. */
    public synchronized void setRecords(String jobId, long in, long out) {
        records.put(jobId, new long[] {in, out});
    }

    /**
     * Flink restarted a job (its restart strategy after a failure): the job is RESTARTING and reports {@code at}
     * (epoch milliseconds) as the time of its last restart.
     */
    public synchronized void restartJob(String jobId, long at) {
        jobs.put(jobId, JobState.RESTARTING);
        lastRestartAt.put(jobId, at);
    }

    /** Flink restarted a job after {@code failure}, at the clock's current time (what a crash loop looks like). */
    public synchronized void restartJob(String jobId, String failure) {
        restartJob(jobId, clock.millis());
        failures.put(jobId, failure);
    }

    /** Like {@link #restartJob(String, long)}, at the clock's current time. */
    public synchronized void restartJob(String jobId) {
        restartJob(jobId, clock.millis());
    }

    /** Every job that is STARTING or RESTARTING now runs. */
    public synchronized void runAll() {
        jobs.replaceAll((id, state) -> state == JobState.STARTING || state == JobState.RESTARTING ? JobState.RUNNING
                : state);
    }

    /** The state newly submitted jobs are in (STARTING unless set). */
    public synchronized void submittedJobsStartAs(JobState state) {
        this.submittedJobsStartAs = state;
    }

    /** The engine restarted: it forgets every job (storage, and so checkpoints and savepoints, survives). */
    public synchronized void restart() {
        jobs.clear();
        failures.clear();
        records.clear();
        lastRestartAt.clear();
    }

    /** The next savepoint (stop-with-savepoint or trigger) fails with this message. */
    public synchronized void failNextSavepoint(String message) {
        failNextSavepoint = new EngineException(message);
    }

    /** The next submission fails with this message. */
    public synchronized void failNextSubmit(String message) {
        failNextSubmit = new EngineException(message);
    }

    /** The next submission does not reach the engine (connection refused); nothing is submitted. */
    public synchronized void unreachableOnNextSubmit() {
        failNextSubmit = new EngineUnreachableException("connection refused", new java.net.ConnectException());
    }

    /** The next compilation rejects the pipeline with this exception. */
    public synchronized void rejectNextCompile(PipelineRejectedException e) {
        rejectNextCompile = e;
    }

    /** While true, every job is reported UNREACHABLE. */
    public synchronized void setUnreachable(boolean unreachable) {
        this.unreachable = unreachable;
    }

    /** As if a job retained this checkpoint in the directory of its storage. */
    public void retainCheckpoint(String checkpointDirectory, RetainedSnapshot checkpoint) {
        storage.retainCheckpoint(checkpointDirectory, checkpoint);
    }

    /** Its storage lost every retained checkpoint. */
    public void forgetCheckpoints() {
        storage.forgetCheckpoints();
    }

    /** As if a savepoint was written to the directory of its storage before a crash. */
    public void putSavepoint(String directory, RetainedSnapshot savepoint) {
        storage.putSavepoint(directory, savepoint);
    }

    // --- what the engine was asked

    /** How often a job was observed, all jobs together. */
    public synchronized int observeCalls() {
        return observeCalls;
    }

    /** The state of a job, or null when the engine does not know it. */
    public synchronized JobState jobState(String jobId) {
        return jobs.get(jobId);
    }

    /** Ids of the jobs that are STARTING, RUNNING or RESTARTING. */
    public synchronized List<String> aliveJobs() {
        return jobs.entrySet().stream().filter(e -> e.getValue().alive()).map(Map.Entry::getKey).toList();
    }

    public synchronized List<PipelineSpec> compiled() {
        return List.copyOf(compiled);
    }

    public synchronized List<JobSubmission> submissions() {
        return List.copyOf(submissions);
    }

    /**
     * The jobs that were STARTING, RUNNING or RESTARTING when the job was first submitted (to check that an old job
     * was stopped before its successor was submitted); fails when the job was never submitted.
     */
    public synchronized List<String> aliveWhenSubmitted(String jobId) {
        List<String> alive = aliveWhenSubmitted.get(jobId);
        if (alive == null) {
            throw new AssertionError("job " + jobId + " was never submitted");
        }
        return alive;
    }

    /** The newest submission; fails when there was none. */
    public synchronized JobSubmission lastSubmission() {
        if (submissions.isEmpty()) {
            throw new AssertionError("nothing was submitted");
        }
        return submissions.get(submissions.size() - 1);
    }

    public synchronized List<SavepointCall> stopWithSavepointCalls() {
        return List.copyOf(stopWithSavepointCalls);
    }

    public synchronized List<SavepointCall> triggerSavepointCalls() {
        return List.copyOf(triggerSavepointCalls);
    }

    /** Job ids {@link #cancel} was called with, in order. */
    public synchronized List<String> cancelled() {
        return List.copyOf(cancelled);
    }

    public synchronized boolean closed() {
        return closed;
    }
}
