package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.engine.EngineUnreachableException;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.VersionRow;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Durations;
import dev.sluice.model.Phase;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.RestoreStrategy;
import dev.sluice.model.SnapshotOrigin;
import dev.sluice.control.engine.CompiledPipeline;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives each deployment's observed state toward its desired state, one idempotent step per pass. Every step writes
 * its intent to the store before it acts, so the process can be killed between any two steps: the next pass (after a
 * restart too) reads the intent, observes the engine, and finishes or redoes the step. A stateful deployment is never
 * started from empty state once it had state.
 */
public final class Reconciler implements AutoCloseable {
    static final String UNREACHABLE_PREFIX = "target unreachable: ";
    static final String MISSING_TARGET_PREFIX = "target not configured: ";
    /** Jobs this process has seen alive: one of them vanishing is a loss, whatever the target. */
    private final java.util.Set<String> observedAlive = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Job ids submitted without an answer from the target; see {@link #startJob}. */
    private final java.util.Set<String> uncertainSubmissions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final String ACTOR = DeploymentWriter.ACTOR;

    private final Store store;
    private final Targets targets;
    private final SnapshotLayout layout;
    private final Events events;
    private final DeploymentLocks locks;
    private final Clock clock;
    private final FaultPoints faults;
    private final RestorePoints restorePoints;
    private final VersionSpecs specs;
    private final DeploymentWriter writer;
    private final SnapshotSteps snapshots;
    private final VersionSteps versions;
    private final ScheduledThreadPoolExecutor loop = newLoop();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    /** How often to look while a deployment is starting, suspending or upgrading. */
    private static final Duration SETTLING_INTERVAL = Duration.ofMillis(200);
    private volatile Duration interval = Duration.ofSeconds(1);
    /** Why the last pass did nothing: the store's owner lock could not be confirmed. */
    private volatile String ownershipProblem;

    public Reconciler(Store store, Targets targets, SnapshotLayout layout, Events events, DeploymentLocks locks,
            Clock clock) {
        this(store, targets, layout, events, locks, clock, FaultPoints.NONE);
    }

    public Reconciler(Store store, Targets targets, SnapshotLayout layout, Events events, DeploymentLocks locks,
            Clock clock, FaultPoints faults) {
        this.faults = faults;
        this.restorePoints = new RestorePoints(store, layout);
        this.specs = new VersionSpecs(store, targets);
        this.writer = new DeploymentWriter(store, events, clock);
        this.snapshots = new SnapshotSteps(store, events, clock, faults, layout, writer, specs);
        this.versions = new VersionSteps(store, events, clock, faults, layout, writer, snapshots, specs);
        this.store = store;
        this.targets = targets;
        this.layout = layout;
        this.events = events;
        this.locks = locks;
        this.clock = clock;
    }

    /**
     * Reconciles every {@code interval}, more often while a deployment is between phases, and on every wake-up; the
     * first pass settles what a crash left half done.
     */
    public void start(Duration interval) {
        this.interval = interval;
        loop.execute(this::tick);
    }

    private void tick() {
        boolean settling = passSafely();
        Duration next = settling && SETTLING_INTERVAL.compareTo(interval) < 0 ? SETTLING_INTERVAL : interval;
        try {
            loop.schedule(this::tick, next.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private static ScheduledThreadPoolExecutor newLoop() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sluice-reconciler");
            t.setDaemon(true);
            return t;
        });
        // On close, the pass that runs finishes; the next one, already scheduled, does not start.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** Asks for a pass soon (after an API change). */
    public void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            try {
                loop.execute(() -> {
                    wakeQueued.set(false);
                    passSafely();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                wakeQueued.set(false); // closing: the next start reconciles
            }
        }
    }

    private boolean passSafely() {
        try {
            return pass();
        } catch (RuntimeException e) {
            LOG.error("reconcile pass failed", e);
            return false;
        }
    }

    /**
     * One pass over all deployments; true when one of them is still between phases. Nothing is done while another
     * control plane owns the store.
     */
    public boolean pass() {
        if (!confirmOwner()) {
            return false;
        }
        boolean settling = false;
        for (DeploymentRow listed : store.deployments(null)) {
            DeploymentKey key = listed.key();
            try {
                settling |= locks.with(key, () -> store.deployment(key).map(row -> {
                    reconcile(row);
                    return !row.phase.settled();
                }).orElse(false));
            } catch (RuntimeException e) {
                LOG.error("[{}] reconcile failed", key, e);
            }
        }
        return settling;
    }

    /** Why passes do nothing now (another server owns the store, or it cannot be reached), or null. */
    public String ownershipProblem() {
        return ownershipProblem;
    }

    /** False, with one error logged until it changes, while this process cannot confirm it owns the store. */
    private boolean confirmOwner() {
        try {
            if (store.confirmOwner()) {
                LOG.warn("the connection holding the metadata store's owner lock was lost; the lock is taken again");
            }
        } catch (IllegalStateException e) {
            // Logged when the kind of problem changes, not at every pass (driver messages carry timings).
            if (ownershipProblem == null || !kind(e.getMessage()).equals(kind(ownershipProblem))) {
                LOG.error("not reconciling: {}", e.getMessage());
            }
            ownershipProblem = e.getMessage();
            return false;
        }
        if (ownershipProblem != null) {
            LOG.info("reconciling again: this server owns the metadata store");
            ownershipProblem = null;
        }
        return true;
    }

    private static String kind(String problem) {
        int colon = problem.indexOf(':');
        return colon < 0 ? problem : problem.substring(0, colon);
    }

    private void reconcile(DeploymentRow row) {
        VersionRow version = store.version(row.key(), row.specVersion).orElseThrow();
        PipelineSpec spec = VersionSpecs.read(version);
        // The job that runs belongs to the running version, which may sit on another target than the wanted one.
        String runningTarget = row.runningVersion == null ? null : specs.specOf(row, row.runningVersion).target();
        String missing = targets.find(spec.target()).isEmpty() ? spec.target()
                : runningTarget != null && row.jobId != null && targets.find(runningTarget).isEmpty() ? runningTarget
                : null;
        if (missing != null) {
            noteMissingTarget(row, missing);
            return; // looking for the job elsewhere could start a second one
        }
        Engine target = targets.get(spec.target());
        Engine current = runningTarget == null ? target : targets.get(runningTarget);
        JobObservation job = row.jobId == null ? JobObservation.notFound() : current.observe(row.jobId);
        if (job.state().alive()) {
            observedAlive.add(row.jobId);
        } else if (row.jobId != null && job.state() != JobState.NOT_FOUND && job.state() != JobState.UNREACHABLE) {
            observedAlive.remove(row.jobId); // ended; only a job that vanishes is looked up later
        }
        if (job.state() == JobState.UNREACHABLE) {
            noteUnreachable(row, current, job);
            return; // nothing is known; acting now could start a second job
        }
        if (row.error != null && (row.error.startsWith(UNREACHABLE_PREFIX) || row.error.startsWith(MISSING_TARGET_PREFIX))) {
            row.error = null;
            events.normal(null, row.key(), row.runningVersion, "TargetReachable",
                    "target " + current.target() + " answers again", ACTOR);
            writer.save(row);
        }
        if (job.recordsIn() != null || job.recordsOut() != null) {
            row.recordsIn = job.recordsIn();
            row.recordsOut = job.recordsOut();
        }
        switch (row.desiredState) {
            case RUNNING -> reconcileRunning(row, spec, version, current, target, job);
            case SUSPENDED -> reconcileSuspended(row, current, job);
            case CANCELLED -> reconcileCancelled(row, current, job);
        }
        snapshots.applyRetention(row, spec, target);
    }

    private void reconcileRunning(DeploymentRow row, PipelineSpec spec, VersionRow version, Engine current,
            Engine target, JobObservation job) {
        Phase phase = row.phase;
        if (row.pendingSnapshot != null && !job.state().alive()) {
            snapshots.resolvePendingSnapshot(row, current);
        }
        if (phase == Phase.FAILED || phase == Phase.FINISHED) {
            return; // terminal until the user acts (resume, apply, rollback)
        }
        versions.countRestarts(row, job);
        // An upgrade or rollback stops the old job (finished after its savepoint, or cancelled) before the next starts.
        // Only the old version's job counts as stopped for the move; a failure of the new one is a failure.
        boolean moving = (phase == Phase.UPGRADING || phase == Phase.ROLLING_BACK)
                && !Objects.equals(row.runningVersion, row.specVersion);
        if (moving && (job.state() == JobState.FINISHED || job.state() == JobState.CANCELLED
                || job.state() == JobState.FAILED)) {
            startJob(row, spec, version, target, null);
            return;
        }
        if (job.state().alive() && row.runningVersion != null && row.runningVersion != row.specVersion
                && versions.moveToWantedVersion(row, spec, current, job)) {
            if (row.jobId == null) {
                // The old job is stopped and its state saved: start the new version now, not a pass later, to
                // keep the output gap of an upgrade short.
                startJob(row, spec, version, target, null);
            }
            return;
        }
        if ((job.state().alive() || job.state() == JobState.FAILED) && row.runningVersion != null
                && versions.watchReadiness(row, specs.specOf(row, row.runningVersion), job)) {
            return;
        }
        switch (job.state()) {
            case STARTING, RESTARTING -> {
                if (VersionSteps.crashLooping(job, clock.millis())) {
                    writer.transition(row, Phase.FAILING, VersionSteps.failingError(row, job));
                } else {
                    writer.transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.STARTING, null);
                }
            }
            case RUNNING -> {
                if (phase == Phase.FAILING && row.lastRestartAt != null
                        && clock.millis() - row.lastRestartAt < VersionSteps.RECOVERED_AFTER.toMillis()) {
                    return; // running again just after a restart is not yet recovering from the loop
                }
                markStateful(row, target);
                row.rollingBack = false;
                if (row.pendingSnapshot == null && snapshots.periodicSavepointDue(row, spec)) {
                    snapshots.pendingSnapshot(row, SnapshotOrigin.PERIODIC, current);
                }
                if (row.pendingSnapshot != null) {
                    snapshots.takePendingSnapshot(row, current);
                } else {
                    if (phase == Phase.FAILING) {
                        row.error = null; // it recovered: the loop's cause no longer applies
                    }
                    writer.transition(row, Phase.RUNNING, null);
                }
            }
            case FINISHED -> writer.transition(row, Phase.FINISHED, null);
            case FAILED -> writer.transition(row, Phase.FAILED, "the job failed: " + job.failure());
            case CANCELLED -> writer.transition(row, Phase.FAILED, "the job was cancelled outside Sluice");
            case NOT_FOUND -> startJob(row, spec, version, target, current);
            default -> { }
        }
    }

    /**
     * The target does not answer: the job may still run there, so nothing is started or stopped. The deployment says
     * so once (status.error and a TargetUnreachable event) until the target answers again.
     */
    private void noteUnreachable(DeploymentRow row, Engine engine, JobObservation job) {
        if (row.jobId == null || (row.error != null && row.error.startsWith(UNREACHABLE_PREFIX))) {
            return;
        }
        row.error = UNREACHABLE_PREFIX + engine.target() + ": " + job.failure();
        events.warning(null, row.key(), row.runningVersion, "TargetUnreachable",
                "cannot reach target " + engine.target() + " to observe job " + row.jobId + ": " + job.failure()
                        + "; waiting for it, nothing is started meanwhile", ACTOR);
        writer.save(row);
    }

    /** A target a version names is not in the configuration (removed from sluice.yaml): say so once, act never. */
    private void noteMissingTarget(DeploymentRow row, String target) {
        String error = MISSING_TARGET_PREFIX + target + " (sluice.yaml targets: " + targets.names()
                + "); nothing is started or stopped until it is back";
        if (error.equals(row.error)) {
            return;
        }
        row.error = error;
        events.warning(null, row.key(), row.runningVersion, "TargetMissing", error, ACTOR);
        writer.save(row);
    }

    /** Once a running deployment has a completed checkpoint, it must never again start from empty state. */
    private void markStateful(DeploymentRow row, Engine engine) {
        if (!row.hasState && engine.latestRetainedCheckpoint(layout.retainedCheckpointDirectory(row.key(), row.uid)).isPresent()) {
            row.hasState = true;
            writer.save(row);
        }
    }

    /**
     * Starts a job of the wanted version on {@code engine}; {@code lostFrom} is the target the previous job vanished
     * from (rather than was stopped on), or null.
     */
    private void startJob(DeploymentRow row, PipelineSpec spec, VersionRow version, Engine engine, Engine lostFrom) {
        DeploymentKey key = row.key();
        String op = VersionSteps.operation(row);
        // A submission whose outcome is unknown (the target did not answer) goes again under the same job id: if the
        // first one arrived after all, Flink refuses the duplicate and the job is adopted; never two jobs.
        boolean resubmit = row.jobId != null && uncertainSubmissions.remove(row.jobId);
        if (lostFrom != null && !resubmit && row.jobId != null && row.phase != Phase.PENDING) {
            if (lostFrom.stopsWithControlPlane() && !observedAlive.contains(row.jobId)) {
                events.normal(null, key, row.runningVersion, "JobLost", "job " + row.jobId + " ended with the previous "
                        + "Sluice process (target " + lostFrom.target() + " runs inside it); restarting from the newest "
                        + "snapshot", ACTOR);
            } else {
                events.warning(null, key, row.runningVersion, "JobLost",
                        "job " + row.jobId + " is no longer known to the engine; restarting from the newest snapshot",
                        ACTOR);
            }
        }
        if (row.jobId != null) {
            observedAlive.remove(row.jobId);
        }
        boolean pinned = RestorePin.isPinned(row.restoreOverride);
        boolean ignoreState = !pinned && (RestorePin.NONE.equals(row.restoreOverride)
                || spec.restoreStrategy() == RestoreStrategy.NONE);
        Optional<RestorePoints.RestorePoint> restore = pinned
                ? Optional.of(new RestorePoints.RestorePoint(RestorePin.location(row.restoreOverride), 0, null, "pinned snapshot"))
                : ignoreState ? Optional.empty() : restorePoints.newest(row, spec, engine);
        if (restore.isEmpty() && row.hasState && !ignoreState) {
            writer.transition(row, Phase.FAILED, "no completed snapshot or retained checkpoint found, though the deployment "
                    + "had state; refusing to start from empty state");
            return;
        }
        // Intent first: the job id, attempt and restore point are stored before the engine is asked.
        if (!resubmit) {
            row.jobAttempt += 1;
            row.jobId = JobIds.of(row.uid, row.jobAttempt);
            row.recordsIn = null; // counts belong to a job; the new one reports its own
            row.recordsOut = null;
        }
        boolean newVersion = !Objects.equals(row.runningVersion, row.specVersion);
        if (newVersion || row.lastStableVersion == null || row.versionStartedAt != null) {
            // A new version, the first, or one still on watch (resumed, restarted): its readiness window starts now,
            // unless it is the stable version being returned to.
            boolean backToStable = Objects.equals(row.lastStableVersion, row.specVersion);
            row.versionStartedAt = backToStable ? null : clock.millis();
            row.restarts = 0;
        }
        row.runningVersion = row.specVersion;
        row.restoredFrom = restore.map(RestorePoints.RestorePoint::location).orElse(null);
        row.restoreOverride = null;
        row.error = null;
        writer.transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.STARTING, null);
        JobSubmission submission = new JobSubmission(
                row.jobId,
                key + " v" + row.specVersion,
                new CompiledPipeline(version.planKind, version.plan),
                spec.parallelism(),
                Durations.parse(spec.checkpoints().interval()),
                layout.checkpointDirectory(key, row.uid),
                row.restoredFrom,
                Boolean.TRUE.equals(spec.allowNonRestoredState()),
                spec.flinkConfiguration());
        faults.reached(op + ".before-submit");
        try {
            engine.submit(submission);
            faults.reached(op + ".after-submit");
            events.normal(null, key, row.specVersion, "Submitted", "job " + row.jobId + " of version "
                    + row.specVersion + " to " + engine.target()
                    + (row.restoredFrom == null ? " with empty state" : " restoring "
                    + restore.get().describe()), ACTOR);
        } catch (EngineUnreachableException e) {
            // The submission may or may not have arrived (or may still arrive). The job id is stored: the next pass
            // observes it, and once the target answers submits again under the same id.
            uncertainSubmissions.add(row.jobId);
            noteUnreachable(row, engine, new JobObservation(JobState.UNREACHABLE, e.getMessage(), null, null));
        } catch (EngineException e) {
            writer.transition(row, Phase.FAILED, "submitting the job failed: " + e.getMessage());
        }
    }

    private void reconcileSuspended(DeploymentRow row, Engine engine, JobObservation job) {
        if (job.state() == JobState.RUNNING) {
            if (snapshots.stopWithSavepoint(row, engine, SnapshotOrigin.SUSPEND).isPresent()) {
                writer.transition(row, Phase.SUSPENDED, null);
            }
            return;
        }
        if (job.state() == JobState.STARTING || job.state() == JobState.RESTARTING) {
            if (!VersionSteps.crashLooping(job, clock.millis())) {
                return; // a savepoint needs a running job; wait for it
            }
            // A job that fails again and again takes no savepoint; its state is in its newest retained checkpoint,
            // or, if it completed none, in the snapshot it started from. That is where resume starts (stored before
            // the cancel), whatever the restore strategy would pick among older savepoints.
            Optional<String> own = engine.latestRetainedCheckpoint(layout.retainedCheckpointDirectory(row.key(), row.uid))
                    .map(c -> c.location()).filter(location -> location.contains("/" + row.jobId + "/"));
            String resumeFrom = own.orElse(row.restoredFrom);
            if (resumeFrom != null) {
                row.restoreOverride = RestorePin.of(resumeFrom);
                writer.save(row);
            }
            engine.cancel(row.jobId);
            events.normal(null, row.key(), row.runningVersion, "JobStopped", "suspend: cancelled job " + row.jobId
                    + ", which was failing (" + row.restarts + " restarts) and cannot take a savepoint; resume starts "
                    + "from the newest snapshot or retained checkpoint", ACTOR);
        }
        if (row.pendingSnapshot != null) {
            snapshots.resolvePendingSnapshot(row, engine);
        }
        row.jobId = null;
        if (row.phase == Phase.FAILING) {
            row.error = null;
        }
        writer.transition(row, Phase.SUSPENDED, null);
    }

    private void reconcileCancelled(DeploymentRow row, Engine engine, JobObservation job) {
        if (job.state().alive()) {
            engine.cancel(row.jobId);
        }
        if (row.pendingSnapshot != null) {
            snapshots.resolvePendingSnapshot(row, engine);
        }
        row.jobId = null;
        writer.transition(row, Phase.CANCELLED, null);
    }

    @Override
    public void close() {
        // Let a running pass finish: interrupting it mid-write would close the store's files under it (H2 closes its
        // file channel on interrupt). Only a pass stuck for long is interrupted.
        loop.shutdown();
        try {
            if (!loop.awaitTermination(30, TimeUnit.SECONDS)) {
                loop.shutdownNow();
                loop.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            loop.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
