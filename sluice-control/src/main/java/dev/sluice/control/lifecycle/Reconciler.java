package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.engine.RetainedSnapshot;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.VersionRow;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Durations;
import dev.sluice.model.Json;
import dev.sluice.model.Phase;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.DiffType;
import dev.sluice.model.RestoreStrategy;
import dev.sluice.model.RollbackSpec;
import dev.sluice.model.SpecDiff;
import dev.sluice.model.UpgradeAction;
import dev.sluice.model.SnapshotOrigin;
import dev.sluice.model.SnapshotState;
import dev.sluice.control.engine.CompiledPipeline;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final String ACTOR = "reconciler";

    private final Store store;
    private final Targets targets;
    private final SnapshotLayout layout;
    private final Events events;
    private final DeploymentLocks locks;
    private final Clock clock;
    private final FaultPoints faults;
    private final RestorePoints restorePoints;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-reconciler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    /** How often to look while a deployment is starting, suspending or upgrading. */
    private static final Duration SETTLING_INTERVAL = Duration.ofMillis(200);
    private volatile Duration interval = Duration.ofSeconds(1);

    public Reconciler(Store store, Targets targets, SnapshotLayout layout, Events events, DeploymentLocks locks,
            Clock clock) {
        this(store, targets, layout, events, locks, clock, FaultPoints.NONE);
    }

    public Reconciler(Store store, Targets targets, SnapshotLayout layout, Events events, DeploymentLocks locks,
            Clock clock, FaultPoints faults) {
        this.faults = faults;
        this.restorePoints = new RestorePoints(store, layout);
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
        if (!loop.isShutdown()) {
            Duration next = settling && SETTLING_INTERVAL.compareTo(interval) < 0 ? SETTLING_INTERVAL : interval;
            loop.schedule(this::tick, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Asks for a pass soon (after an API change). */
    public void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            loop.execute(() -> {
                wakeQueued.set(false);
                passSafely();
            });
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

    /** One pass over all deployments; true when one of them is still between phases. */
    public boolean pass() {
        boolean settling = false;
        for (DeploymentRow listed : store.deployments(null)) {
            DeploymentKey key = listed.key();
            try {
                settling |= locks.with(key, () -> store.deployment(key).map(row -> {
                    reconcile(row);
                    return !Phase.parse(row.phase).settled();
                }).orElse(false));
            } catch (RuntimeException e) {
                LOG.error("[{}] reconcile failed", key, e);
            }
        }
        return settling;
    }

    private void reconcile(DeploymentRow row) {
        VersionRow version = store.version(row.key(), row.specVersion).orElseThrow();
        PipelineSpec spec = readSpec(version);
        Engine target = targets.get(spec.target());
        // The job that runs belongs to the running version, which may sit on another target than the wanted one.
        Engine current = engineOf(row, row.runningVersion).orElse(target);
        JobObservation job = row.jobId == null ? JobObservation.notFound() : current.observe(row.jobId);
        if (job.state() == JobState.UNREACHABLE) {
            return; // nothing is known; acting now could start a second job
        }
        if (job.recordsIn() != null || job.recordsOut() != null) {
            row.recordsIn = job.recordsIn();
            row.recordsOut = job.recordsOut();
        }
        switch (DesiredState.parse(row.desiredState)) {
            case RUNNING -> reconcileRunning(row, spec, version, current, target, job);
            case SUSPENDED -> reconcileSuspended(row, current, job);
            case CANCELLED -> reconcileCancelled(row, current, job);
        }
        applyRetention(row, spec, target);
    }

    /** Deletes the snapshots the retention policy lets go: files first, then the catalog row, with an event. */
    private void applyRetention(DeploymentRow row, PipelineSpec spec, Engine engine) {
        if (spec.savepoints() == null) {
            return;
        }
        Set<String> referenced = new HashSet<>();
        for (DeploymentRow other : store.deployments(null)) {
            if (other.restoredFrom != null) {
                referenced.add(other.restoredFrom);
            }
            if (RestorePin.isPinned(other.restoreOverride)) {
                referenced.add(RestorePin.location(other.restoreOverride));
            }
        }
        for (SnapshotRetention.Expired e : SnapshotRetention.expired(
                store.snapshots(row.namespace, row.name), row, spec.savepoints(), clock.millis(), referenced)) {
            SnapshotRow s = e.snapshot();
            if (s.targetDir != null) {
                // Through the engine of the version that wrote it, which may sit on another target.
                engineOf(row, s.version).orElse(engine).deleteSnapshot(s.targetDir);
            }
            store.inTransaction(h -> {
                store.deleteSnapshot(h, s.id);
                events.normal(h, row.key(), s.version, "SnapshotDeleted", "snapshot " + s.id + " (" + s.origin
                        + ", " + s.state + ") removed by retention: " + e.reason(), ACTOR);
            });
        }
    }

    private Optional<Engine> engineOf(DeploymentRow row, Integer version) {
        if (version == null) {
            return Optional.empty();
        }
        return store.version(row.key(), version).flatMap(v -> targets.find(readSpec(v).target()));
    }

    private void reconcileRunning(DeploymentRow row, PipelineSpec spec, VersionRow version, Engine current,
            Engine target, JobObservation job) {
        Phase phase = Phase.parse(row.phase);
        if (row.pendingSnapshot != null && !job.state().alive()) {
            resolvePendingSnapshot(row, current);
        }
        if (phase == Phase.FAILED || phase == Phase.FINISHED) {
            return; // terminal until the user acts (resume, apply, rollback)
        }
        countRestarts(row, job);
        // An upgrade or rollback stops the old job (finished after its savepoint, or cancelled) before the next starts.
        // Only the old version's job counts as stopped for the move; a failure of the new one is a failure.
        boolean moving = (phase == Phase.UPGRADING || phase == Phase.ROLLING_BACK)
                && !Objects.equals(row.runningVersion, row.specVersion);
        if (moving && (job.state() == JobState.FINISHED || job.state() == JobState.CANCELLED
                || job.state() == JobState.FAILED)) {
            startJob(row, spec, version, target, false);
            return;
        }
        if (job.state().alive() && row.runningVersion != null && row.runningVersion != row.specVersion
                && moveToWantedVersion(row, spec, current, job)) {
            if (row.jobId == null) {
                // The old job is stopped and its state saved: start the new version now, not a pass later, to
                // keep the output gap of an upgrade short.
                startJob(row, spec, version, target, false);
            }
            return;
        }
        if ((job.state().alive() || job.state() == JobState.FAILED) && row.runningVersion != null
                && watchReadiness(row, specOf(row, row.runningVersion), job)) {
            return;
        }
        switch (job.state()) {
            case STARTING, RESTARTING -> transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.STARTING, null);
            case RUNNING -> {
                markStateful(row, target);
                row.rollingBack = false;
                if (row.pendingSnapshot == null && periodicSavepointDue(row, spec)) {
                    pendingSnapshot(row, SnapshotOrigin.PERIODIC, current);
                }
                if (row.pendingSnapshot != null) {
                    takePendingSnapshot(row, current);
                } else {
                    transition(row, Phase.RUNNING, null);
                }
            }
            case FINISHED -> transition(row, Phase.FINISHED, null);
            case FAILED -> transition(row, Phase.FAILED, "the job failed: " + job.failure());
            case CANCELLED -> transition(row, Phase.FAILED, "the job was cancelled outside Sluice");
            case NOT_FOUND -> startJob(row, spec, version, target, true);
            default -> { }
        }
    }

    /**
     * A job of an older version runs: decide from the typed spec diff what the wanted version needs. Returns true
     * when this pass acted on the job.
     */
    private boolean moveToWantedVersion(DeploymentRow row, PipelineSpec wanted, Engine current, JobObservation job) {
        PipelineSpec running = specOf(row, row.runningVersion);
        SpecDiff diff = SpecDiff.between(running, wanted);
        if (diff.type().compareTo(DiffType.SCALE) < 0) {
            // Nothing the job does changes (labels, strategies): the new version runs in place.
            int before = row.runningVersion;
            row.runningVersion = row.specVersion;
            row.rollingBack = false;
            if (RestorePin.isPinned(row.restoreOverride)) {
                row.restoreOverride = null; // the job keeps its state; a pin would rewind the next start
            }
            if (Objects.equals(row.lastStableVersion, before)) {
                row.lastStableVersion = row.specVersion;
            }
            save(row);
            events.normal(null, row.key(), row.specVersion, "VersionInPlace", "version " + row.specVersion
                    + " runs in place of version " + before + ": no change to the job", ACTOR);
            return false;
        }
        if (!row.rollingBack && !diff.action().restarts()) {
            return false; // upgradeStrategy none: the old version runs until the next start
        }
        UpgradeAction action = row.rollingBack && !diff.action().restarts() ? UpgradeAction.STATEFUL_UPGRADE
                : diff.action();
        return upgrade(row, wanted, action, current, job);
    }

    /** Once a running deployment has a completed checkpoint, it must never again start from empty state. */
    private void markStateful(DeploymentRow row, Engine engine) {
        if (!row.hasState && engine.latestRetainedCheckpoint(layout.checkpointDirectory(row.key(), row.uid)).isPresent()) {
            row.hasState = true;
            save(row);
        }
    }

    /** Starts a job of the wanted version; {@code lost} when the previous job vanished (rather than was stopped). */
    private void startJob(DeploymentRow row, PipelineSpec spec, VersionRow version, Engine engine, boolean lost) {
        DeploymentKey key = row.key();
        String op = operation(row);
        if (lost && row.jobId != null && Phase.parse(row.phase) != Phase.PENDING) {
            events.warning(null, key, row.runningVersion, "JobLost",
                    "job " + row.jobId + " is no longer known to the engine; restarting from the newest snapshot", ACTOR);
        }
        boolean pinned = RestorePin.isPinned(row.restoreOverride);
        boolean ignoreState = !pinned && (RestorePin.NONE.equals(row.restoreOverride)
                || spec.restoreStrategy() == RestoreStrategy.NONE);
        Optional<RestorePoints.RestorePoint> restore = pinned
                ? Optional.of(new RestorePoints.RestorePoint(RestorePin.location(row.restoreOverride), 0, null, "pinned snapshot"))
                : ignoreState ? Optional.empty() : restorePoints.newest(row, spec, engine);
        if (restore.isEmpty() && row.hasState && !ignoreState) {
            transition(row, Phase.FAILED, "no completed snapshot or retained checkpoint found, though the deployment "
                    + "had state; refusing to start from empty state");
            return;
        }
        // Intent first: the job id, attempt and restore point are stored before the engine is asked.
        row.jobAttempt += 1;
        row.jobId = JobIds.of(row.uid, row.jobAttempt);
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
        transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.STARTING, null);
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
                    + row.specVersion + (row.restoredFrom == null ? " with empty state" : " restoring "
                    + restore.get().describe()), ACTOR);
        } catch (EngineException e) {
            transition(row, Phase.FAILED, "submitting the job failed: " + e.getMessage());
        }
    }

    /** Stops the running job the way the action says, intent first; returns true when it acted. */
    private boolean upgrade(DeploymentRow row, PipelineSpec wanted, UpgradeAction action, Engine engine,
            JobObservation job) {
        DeploymentKey key = row.key();
        Phase moving = row.rollingBack ? Phase.ROLLING_BACK : Phase.UPGRADING;
        String what = (row.rollingBack ? "rollback" : "upgrade") + " from version " + row.runningVersion + " to "
                + row.specVersion;
        if (RestorePin.isPinned(row.restoreOverride) || action == UpgradeAction.STATELESS_RESTART) {
            // The next job's state is already decided (a pinned snapshot, or none): the current state is not needed.
            if (action == UpgradeAction.STATELESS_RESTART && !RestorePin.isPinned(row.restoreOverride)) {
                row.restoreOverride = RestorePin.NONE;
            }
            transition(row, moving, null);
            faults.reached(operation(row) + ".before-cancel");
            engine.cancel(row.jobId);
            faults.reached(operation(row) + ".after-cancel");
            row.jobId = null;
            save(row);
            events.normal(null, key, row.specVersion, "JobStopped", what + ": cancelled the old job", ACTOR);
            return true;
        }
        if (row.rollingBack && job.state() != JobState.RUNNING) {
            // Getting away from a version that does not run beats waiting for a savepoint it cannot take.
            transition(row, moving, null);
            faults.reached("rollback.before-cancel");
            engine.cancel(row.jobId);
            faults.reached("rollback.after-cancel");
            row.jobId = null;
            save(row);
            events.normal(null, key, row.specVersion, "JobStopped", what + ": cancelled the old job, which was "
                    + job.state().name().toLowerCase(java.util.Locale.ROOT) + "; starting from the newest state",
                    ACTOR);
            return true;
        }
        if (job.state() == JobState.STARTING) {
            return true; // a savepoint needs a running job; wait for it
        }
        String reason;
        if (job.state() == JobState.RUNNING) {
            transition(row, moving, null);
            Optional<SnapshotRow> snapshot = stopWithSavepoint(row, engine, SnapshotOrigin.UPGRADE);
            if (snapshot.isPresent()) {
                events.normal(null, key, row.specVersion, "UpgradeSavepoint", what + " from snapshot "
                        + snapshot.get().id, ACTOR);
                return true;
            }
            reason = "the savepoint failed";
        } else {
            reason = "the job is restarting and cannot take a savepoint";
        }
        return upgradeFromCheckpoint(row, wanted, engine, what, reason);
    }

    /**
     * The job cannot take a savepoint: use the newest retained checkpoint if it is young enough, else refuse and leave
     * the running version alone.
     */
    private boolean upgradeFromCheckpoint(DeploymentRow row, PipelineSpec wanted, Engine engine, String what,
            String reason) {
        Duration maxAge = Durations.parse(wanted.checkpoints().fallbackMaxAgeOrDefault());
        Optional<RetainedSnapshot> checkpoint =
                engine.latestRetainedCheckpoint(layout.checkpointDirectory(row.key(), row.uid));
        long age = checkpoint.map(c -> clock.millis() - c.completedAt().toEpochMilli()).orElse(Long.MAX_VALUE);
        if (checkpoint.isEmpty() || age > maxAge.toMillis()) {
            String error = what + " refused: " + reason + ", and no retained checkpoint is younger than "
                    + wanted.checkpoints().fallbackMaxAgeOrDefault() + "; version " + row.runningVersion
                    + " keeps running";
            if (!error.equals(row.error)) {
                row.error = error;
                save(row);
                events.warning(null, row.key(), row.specVersion, "UpgradeRefused", error, ACTOR);
            }
            return false;
        }
        row.restoreOverride = RestorePin.of(checkpoint.get().location());
        transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.UPGRADING, null);
        engine.cancel(row.jobId);
        row.jobId = null;
        save(row);
        events.warning(null, row.key(), row.specVersion, "UpgradeFromCheckpoint", what + ": " + reason
                + "; using retained checkpoint " + checkpoint.get().location() + " (" + age / 1000 + " s old)", ACTOR);
        return true;
    }

    /** Counts the engine's restarts of the running version's jobs. */
    private void countRestarts(DeploymentRow row, JobObservation job) {
        if (job.lastRestartAt() != null && !job.lastRestartAt().equals(row.lastRestartAt)) {
            row.lastRestartAt = job.lastRestartAt();
            row.restarts += 1;
            save(row);
            events.warning(null, row.key(), row.runningVersion, "JobRestarted", "the engine restarted job "
                    + row.jobId + " (" + row.restarts + " restarts of version " + row.runningVersion + ")", ACTOR);
        }
    }

    /**
     * A new version must reach running within its readiness window without restarting too often; then it is stable.
     * Otherwise it rolls back to the last stable version. Returns true when this pass started a rollback.
     */
    private boolean watchReadiness(DeploymentRow row, PipelineSpec spec, JobObservation job) {
        if (row.versionStartedAt == null) {
            return false;
        }
        RollbackSpec policy = spec.rollback().withDefaults();
        long window = Durations.parse(policy.readinessTimeout()).toMillis();
        long age = clock.millis() - row.versionStartedAt;
        boolean tooManyRestarts = row.restarts > policy.maxRestarts();
        boolean notReady = age >= window && job.state() != JobState.RUNNING || job.state() == JobState.FAILED;
        if (!tooManyRestarts && !notReady) {
            if (age >= window) {
                row.lastStableVersion = row.runningVersion;
                row.versionStartedAt = null;
                save(row);
                events.normal(null, row.key(), row.runningVersion, "VersionStable", "version " + row.runningVersion
                        + " ran through its readiness window of " + policy.readinessTimeout(), ACTOR);
            }
            return false;
        }
        String why = "version " + row.runningVersion + (tooManyRestarts ? " restarted " + row.restarts
                + " times (at most " + policy.maxRestarts() + " allowed)"
                : job.state() == JobState.FAILED ? " failed: " + job.failure()
                : " did not reach running within " + policy.readinessTimeout());
        row.versionStartedAt = null;
        Integer stable = row.lastStableVersion;
        if (!Boolean.TRUE.equals(policy.enabled()) || stable == null || stable.equals(row.runningVersion)) {
            save(row);
            events.warning(null, row.key(), row.runningVersion, "NotReady", why + "; no automatic rollback ("
                    + (stable == null || stable.equals(row.runningVersion) ? "no earlier stable version"
                    : "disabled") + ")", ACTOR);
            return false;
        }
        RestorePin.beginRollback(store, row, stable);
        save(row);
        events.warning(null, row.key(), stable, "AutoRollback", why + "; rolling back to version " + stable
                + (RestorePin.isPinned(row.restoreOverride) ? " from " + RestorePin.location(row.restoreOverride)
                : ""), ACTOR);
        return true;
    }

    /** What a start or a stop belongs to, for fault point labels. */
    private static String operation(DeploymentRow row) {
        if (row.rollingBack) {
            return "rollback";
        }
        return Phase.parse(row.phase) == Phase.UPGRADING ? "upgrade" : "start";
    }

    private PipelineSpec specOf(DeploymentRow row, int version) {
        return readSpec(store.version(row.key(), version).orElseThrow());
    }

    /** A stored spec with today's defaults: versions stored before a field existed read as if they had its default. */
    private static PipelineSpec readSpec(VersionRow version) {
        return Json.read(version.spec, PipelineSpec.class).withDefaults();
    }

    private void reconcileSuspended(DeploymentRow row, Engine engine, JobObservation job) {
        if (job.state() == JobState.RUNNING) {
            if (stopWithSavepoint(row, engine, SnapshotOrigin.SUSPEND).isPresent()) {
                transition(row, Phase.SUSPENDED, null);
            }
            return;
        }
        if (job.state() == JobState.STARTING || job.state() == JobState.RESTARTING) {
            return; // a savepoint needs a running job; wait for it
        }
        if (row.pendingSnapshot != null) {
            resolvePendingSnapshot(row, engine);
        }
        row.jobId = null;
        transition(row, Phase.SUSPENDED, null);
    }

    private void reconcileCancelled(DeploymentRow row, Engine engine, JobObservation job) {
        if (job.state().alive()) {
            engine.cancel(row.jobId);
        }
        if (row.pendingSnapshot != null) {
            resolvePendingSnapshot(row, engine);
        }
        row.jobId = null;
        transition(row, Phase.CANCELLED, null);
    }

    /** Snapshot row first (intent, with its target directory), then the savepoint, then the result. */
    private Optional<SnapshotRow> stopWithSavepoint(DeploymentRow row, Engine engine, SnapshotOrigin origin) {
        SnapshotRow snapshot = pendingSnapshot(row, origin, engine);
        transition(row, origin == SnapshotOrigin.SUSPEND ? Phase.SUSPENDING : Phase.parse(row.phase), null);
        String step = origin.wire();
        faults.reached(step + ".before-savepoint");
        try {
            String location = engine.stopWithSavepoint(row.jobId, snapshot.targetDir);
            faults.reached(step + ".after-savepoint");
            completeSnapshot(row, snapshot, location, engine);
            faults.reached(step + ".after-snapshot-stored");
            row.jobId = null;
            row.hasState = true;
            save(row);
            return Optional.of(snapshot);
        } catch (EngineException e) {
            failSnapshot(row, snapshot, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * {@code savepoints.periodic}: due once the deployment has been running a whole period without a completed
     * snapshot or a periodic attempt (a failed attempt waits a period too, so failures do not repeat every pass).
     */
    private boolean periodicSavepointDue(DeploymentRow row, PipelineSpec spec) {
        if (spec.savepoints() == null || spec.savepoints().periodic() == null
                || Phase.parse(row.phase) != Phase.RUNNING) {
            return false;
        }
        long period = Durations.parse(spec.savepoints().periodic()).toMillis();
        long newest = row.transitionAt;
        for (SnapshotRow s : store.snapshots(row.namespace, row.name)) {
            if (SnapshotState.COMPLETED.wire().equals(s.state) && s.completedAt != null) {
                newest = Math.max(newest, s.completedAt);
            }
            if (SnapshotOrigin.PERIODIC.wire().equals(s.origin)) {
                newest = Math.max(newest, s.createdAt);
            }
        }
        return clock.millis() - newest >= period;
    }

    /** Triggers the savepoint of the snapshot the row names as pending (user or periodic); the job keeps running. */
    private void takePendingSnapshot(DeploymentRow row, Engine engine) {
        SnapshotRow snapshot = store.snapshot(row.pendingSnapshot).orElse(null);
        if (snapshot == null) {
            row.pendingSnapshot = null;
            save(row);
            return;
        }
        faults.reached("snapshot.before-savepoint");
        try {
            String location = engine.triggerSavepoint(row.jobId, snapshot.targetDir);
            faults.reached("snapshot.after-savepoint");
            completeSnapshot(row, snapshot, location, engine);
            row.hasState = true;
            save(row);
        } catch (EngineException e) {
            failSnapshot(row, snapshot, e.getMessage());
        }
    }

    private SnapshotRow pendingSnapshot(DeploymentRow row, SnapshotOrigin origin, Engine engine) {
        if (row.pendingSnapshot != null) {
            resolvePendingSnapshot(row, engine); // one snapshot in flight at a time; settle the older one first
        }
        SnapshotRow s = new SnapshotRow();
        s.id = UUID.randomUUID().toString();
        s.namespace = row.namespace;
        s.name = row.name;
        s.version = row.runningVersion;
        s.origin = origin.wire();
        s.state = SnapshotState.IN_PROGRESS.wire();
        s.targetDir = layout.savepointDirectory(row.key(), s.id);
        s.jobId = row.jobId;
        s.createdAt = clock.millis();
        row.pendingSnapshot = s.id;
        row.updatedAt = clock.millis();
        store.inTransaction(h -> {
            store.insertSnapshot(h, s);
            store.updateDeployment(h, row);
        });
        return s;
    }

    private void completeSnapshot(DeploymentRow row, SnapshotRow s, String location, Engine engine) {
        RetainedSnapshot found = engine.savepointIn(s.targetDir).orElse(null);
        s.state = SnapshotState.COMPLETED.wire();
        s.location = location;
        s.sizeBytes = found == null ? null : found.sizeBytes();
        s.completedAt = clock.millis();
        row.pendingSnapshot = null;
        row.updatedAt = clock.millis();
        store.inTransaction(h -> {
            store.updateSnapshot(h, s);
            store.updateDeployment(h, row);
            events.normal(h, row.key(), s.version, "SnapshotCompleted",
                    "snapshot " + s.id + " (" + s.origin + ") at " + location, ACTOR);
        });
    }

    private void failSnapshot(DeploymentRow row, SnapshotRow s, String error) {
        s.state = SnapshotState.FAILED.wire();
        s.error = error;
        row.pendingSnapshot = null;
        row.updatedAt = clock.millis();
        store.inTransaction(h -> {
            store.updateSnapshot(h, s);
            store.updateDeployment(h, row);
            events.warning(h, row.key(), s.version, "SnapshotFailed", "snapshot " + s.id + " (" + s.origin
                    + ") failed: " + error, ACTOR);
        });
    }

    /** A snapshot was in progress when the job went away: it completed if its savepoint is in its directory. */
    private void resolvePendingSnapshot(DeploymentRow row, Engine engine) {
        store.snapshot(row.pendingSnapshot).ifPresentOrElse(s -> resolve(row, s, engine), () -> {
            row.pendingSnapshot = null;
            save(row);
        });
    }

    private void resolve(DeploymentRow row, SnapshotRow s, Engine engine) {
        if (!SnapshotState.IN_PROGRESS.wire().equals(s.state)) {
            row.pendingSnapshot = null;
            save(row);
            return;
        }
        Optional<RetainedSnapshot> found = engine.savepointIn(s.targetDir);
        if (found.isPresent()) {
            row.hasState = true;
            completeSnapshot(row, s, found.get().location(), engine);
        } else {
            failSnapshot(row, s, "interrupted before the savepoint completed");
        }
    }

    private void transition(DeploymentRow row, Phase phase, String error) {
        Phase before = Phase.parse(row.phase);
        boolean changed = before != phase || !Objects.equals(row.error, error == null ? row.error : error);
        row.phase = phase.wire();
        if (error != null) {
            row.error = error;
        }
        row.updatedAt = clock.millis();
        if (before != phase) {
            row.transitionAt = clock.millis();
        }
        if (!changed) {
            save(row);
            return;
        }
        store.inTransaction(h -> {
            store.updateDeployment(h, row);
            String message = before.wire() + " -> " + phase.wire() + (error == null ? "" : ": " + error);
            if (phase == Phase.FAILED) {
                events.warning(h, row.key(), row.runningVersion, "Failed", message, ACTOR);
            } else {
                events.normal(h, row.key(), row.runningVersion, "Phase", message, ACTOR);
            }
        });
    }

    private void save(DeploymentRow row) {
        row.updatedAt = clock.millis();
        store.updateDeployment(row);
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
