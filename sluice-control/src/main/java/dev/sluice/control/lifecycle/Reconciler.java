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
import dev.sluice.model.RestoreStrategy;
import dev.sluice.model.SnapshotOrigin;
import dev.sluice.model.SnapshotState;
import dev.sluice.model.UpgradeStrategy;
import dev.sluice.control.engine.CompiledPipeline;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
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
        PipelineSpec spec = Json.read(version.spec, PipelineSpec.class);
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
    }

    private Optional<Engine> engineOf(DeploymentRow row, Integer version) {
        if (version == null) {
            return Optional.empty();
        }
        return store.version(row.key(), version)
                .flatMap(v -> targets.find(Json.read(v.spec, PipelineSpec.class).target()));
    }

    private void reconcileRunning(DeploymentRow row, PipelineSpec spec, VersionRow version, Engine current,
            Engine target, JobObservation job) {
        Phase phase = Phase.parse(row.phase);
        if (row.pendingSnapshot != null && !job.state().alive()) {
            resolvePendingSnapshot(row, current);
        }
        if (phase == Phase.FAILED || phase == Phase.FINISHED) {
            return; // terminal until the user acts (resume, apply)
        }
        // An upgrade stops the old job (finished after its savepoint, or cancelled) before it starts the new one.
        boolean stoppedForUpgrade = phase == Phase.UPGRADING
                && (job.state() == JobState.FINISHED || job.state() == JobState.CANCELLED);
        if (stoppedForUpgrade) {
            startJob(row, spec, version, target);
            return;
        }
        switch (job.state()) {
            case STARTING, RESTARTING -> transition(row, Phase.STARTING, null);
            case RUNNING -> {
                markStateful(row, target);
                if (!Objects.equals(row.runningVersion, row.specVersion)
                        && spec.upgradeStrategy() != UpgradeStrategy.NONE) {
                    upgrade(row, spec, current);
                } else if (row.pendingSnapshot != null) {
                    takeUserSnapshot(row, current);
                } else {
                    transition(row, Phase.RUNNING, null);
                }
            }
            case FINISHED -> transition(row, Phase.FINISHED, null);
            case FAILED -> transition(row, Phase.FAILED, "the job failed: " + job.failure());
            case CANCELLED -> transition(row, Phase.FAILED, "the job was cancelled outside Sluice");
            case NOT_FOUND -> startJob(row, spec, version, target);
            default -> { }
        }
    }

    /** Once a running deployment has a completed checkpoint, it must never again start from empty state. */
    private void markStateful(DeploymentRow row, Engine engine) {
        if (!row.hasState && engine.latestRetainedCheckpoint(layout.checkpointDirectory(row.key(), row.uid)).isPresent()) {
            row.hasState = true;
            save(row);
        }
    }

    private void startJob(DeploymentRow row, PipelineSpec spec, VersionRow version, Engine engine) {
        DeploymentKey key = row.key();
        if (row.jobId != null && Phase.parse(row.phase) != Phase.PENDING) {
            events.warning(null, key, row.runningVersion, "JobLost",
                    "job " + row.jobId + " is no longer known to the engine; restarting from the newest snapshot", ACTOR);
        }
        boolean ignoreState = "none".equals(row.restoreOverride) || spec.restoreStrategy() == RestoreStrategy.NONE;
        Optional<RestorePoint> restore = ignoreState ? Optional.empty() : newestRestorePoint(row, spec, engine);
        if (restore.isEmpty() && row.hasState && !ignoreState) {
            transition(row, Phase.FAILED, "no completed snapshot or retained checkpoint found, though the deployment "
                    + "had state; refusing to start from empty state");
            return;
        }
        // Intent first: the job id, attempt and restore point are stored before the engine is asked.
        row.jobAttempt += 1;
        row.jobId = JobIds.of(row.uid, row.jobAttempt);
        row.runningVersion = row.specVersion;
        row.restoredFrom = restore.map(RestorePoint::location).orElse(null);
        row.restoreOverride = null;
        row.error = null;
        transition(row, Phase.STARTING, null);
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
        try {
            engine.submit(submission);
            events.normal(null, key, row.specVersion, "Submitted", "job " + row.jobId + " of version "
                    + row.specVersion + (row.restoredFrom == null ? " with empty state" : " restoring "
                    + restore.get().describe()), ACTOR);
        } catch (EngineException e) {
            transition(row, Phase.FAILED, "submitting the job failed: " + e.getMessage());
        }
    }

    /** A place to restore from: a catalogued savepoint or a retained checkpoint. */
    record RestorePoint(String location, long completedAt, String snapshotId) {
        String describe() {
            return (snapshotId == null ? "retained checkpoint " : "snapshot " + snapshotId + " at ") + location;
        }
    }

    private Optional<RestorePoint> newestRestorePoint(DeploymentRow row, PipelineSpec spec, Engine engine) {
        Optional<RestorePoint> savepoint = store.snapshots(row.namespace, row.name).stream()
                .filter(s -> SnapshotState.COMPLETED.wire().equals(s.state) && s.location != null)
                .max(Comparator.comparingLong(s -> s.completedAt))
                .map(s -> new RestorePoint(s.location, s.completedAt, s.id));
        if (spec.restoreStrategy() == RestoreStrategy.LATEST_SAVEPOINT) {
            return savepoint;
        }
        Optional<RestorePoint> checkpoint = engine.latestRetainedCheckpoint(layout.checkpointDirectory(row.key(), row.uid))
                .map(c -> new RestorePoint(c.location(), c.completedAt().toEpochMilli(), null));
        if (savepoint.isEmpty()) {
            return checkpoint;
        }
        if (checkpoint.isEmpty()) {
            return savepoint;
        }
        return checkpoint.get().completedAt() > savepoint.get().completedAt() ? checkpoint : savepoint;
    }

    private void upgrade(DeploymentRow row, PipelineSpec spec, Engine engine) {
        DeploymentKey key = row.key();
        if (spec.upgradeStrategy() == UpgradeStrategy.STATELESS) {
            row.restoreOverride = "none";
            transition(row, Phase.UPGRADING, null);
            engine.cancel(row.jobId);
            row.jobId = null;
            save(row);
            events.normal(null, key, row.specVersion, "UpgradeStopped",
                    "stateless upgrade to version " + row.specVersion + ": cancelled the old job", ACTOR);
            return;
        }
        transition(row, Phase.UPGRADING, null);
        Optional<SnapshotRow> snapshot = stopWithSavepoint(row, engine, SnapshotOrigin.UPGRADE);
        if (snapshot.isPresent()) {
            events.normal(null, key, row.specVersion, "UpgradeSavepoint", "upgrading version " + row.runningVersion
                    + " to " + row.specVersion + " from snapshot " + snapshot.get().id, ACTOR);
        }
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
        try {
            String location = engine.stopWithSavepoint(row.jobId, snapshot.targetDir);
            completeSnapshot(row, snapshot, location, engine);
            row.jobId = null;
            row.hasState = true;
            save(row);
            return Optional.of(snapshot);
        } catch (EngineException e) {
            failSnapshot(row, snapshot, e.getMessage());
            return Optional.empty();
        }
    }

    private void takeUserSnapshot(DeploymentRow row, Engine engine) {
        SnapshotRow snapshot = store.snapshot(row.pendingSnapshot).orElse(null);
        if (snapshot == null) {
            row.pendingSnapshot = null;
            save(row);
            return;
        }
        try {
            String location = engine.triggerSavepoint(row.jobId, snapshot.targetDir);
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
