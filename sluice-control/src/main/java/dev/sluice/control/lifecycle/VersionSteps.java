package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.RetainedSnapshot;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DiffType;
import dev.sluice.model.Durations;
import dev.sluice.model.Phase;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.RollbackSpec;
import dev.sluice.model.SnapshotOrigin;
import dev.sluice.model.SpecDiff;
import dev.sluice.model.UpgradeAction;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The reconciler's version steps: moving a running deployment to the wanted version (in place, through a savepoint, a
 * cancel, or a young retained checkpoint), counting restarts, and the readiness watch that makes a version stable or
 * rolls it back.
 */
final class VersionSteps {
    /** How long a job must run after its last restart before a failing deployment counts as running again. */
    static final Duration RECOVERED_AFTER = Duration.ofSeconds(10);
    private static final String ACTOR = DeploymentWriter.ACTOR;
    private final Store store;
    private final Events events;
    private final Clock clock;
    private final FaultPoints faults;
    private final SnapshotLayout layout;
    private final DeploymentWriter writer;
    private final SnapshotSteps snapshots;
    private final VersionSpecs specs;

    VersionSteps(Store store, Events events, Clock clock, FaultPoints faults, SnapshotLayout layout,
            DeploymentWriter writer, SnapshotSteps snapshots, VersionSpecs specs) {
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.faults = faults;
        this.layout = layout;
        this.writer = writer;
        this.snapshots = snapshots;
        this.specs = specs;
    }

    /**
     * A job of an older version runs: decide from the typed spec diff what the wanted version needs. Returns true
     * when this pass acted on the job.
     */
    boolean moveToWantedVersion(DeploymentRow row, PipelineSpec wanted, Engine current, JobObservation job) {
        PipelineSpec running = specs.specOf(row, row.runningVersion);
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
            writer.save(row);
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

    /** Stops the running job the way the action says, intent first; returns true when it acted. */
    boolean upgrade(DeploymentRow row, PipelineSpec wanted, UpgradeAction action, Engine engine,
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
            writer.transition(row, moving, null);
            faults.reached(operation(row) + ".before-cancel");
            engine.cancel(row.jobId);
            faults.reached(operation(row) + ".after-cancel");
            row.jobId = null;
            writer.save(row);
            events.normal(null, key, row.specVersion, "JobStopped", what + ": cancelled the old job", ACTOR);
            return true;
        }
        if (row.rollingBack && job.state() != JobState.RUNNING) {
            // Getting away from a version that does not run beats waiting for a savepoint it cannot take.
            writer.transition(row, moving, null);
            faults.reached("rollback.before-cancel");
            engine.cancel(row.jobId);
            faults.reached("rollback.after-cancel");
            row.jobId = null;
            writer.save(row);
            events.normal(null, key, row.specVersion, "JobStopped", what + ": cancelled the old job, which was "
                    + job.state().name().toLowerCase(java.util.Locale.ROOT) + "; starting from the newest state",
                    ACTOR);
            return true;
        }
        if (crashLooping(job, clock.millis())) {
            Optional<Boolean> moved = upgradeFromRestorePoint(row, engine, what);
            if (moved.isPresent()) {
                return moved.get();
            }
        } else if (job.state() == JobState.STARTING) {
            return true; // a savepoint needs a running job; wait for it
        }
        String reason;
        if (job.state() == JobState.RUNNING) {
            markHealthyWhenReplaced(row);
            writer.transition(row, moving, null);
            Optional<SnapshotRow> snapshot = snapshots.stopWithSavepoint(row, engine, SnapshotOrigin.UPGRADE);
            if (snapshot.isPresent()) {
                // The new version starts from exactly this savepoint, whatever its restore strategy says about
                // ordinary starts: a stateful upgrade carries the state it saved.
                row.restoreOverride = RestorePin.of(snapshot.get().location);
                writer.save(row);
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
     * True when the engine is restarting the job, or restarted it within {@link #RECOVERED_AFTER} and it does not run
     * yet: it fails again and again. A restart long ago does not count (a job redeploying tasks after a lost
     * TaskManager is starting, not failing). The engine's clock is compared with Sluice's.
     */
    static boolean crashLooping(JobObservation job, long now) {
        if (job.lastRestartAt() == null) {
            return false;
        }
        return job.state() == JobState.RESTARTING
                || job.state() == JobState.STARTING && now - job.lastRestartAt() < RECOVERED_AFTER.toMillis();
    }

    /**
     * What {@code status.error} says of a failing deployment; null (keep it) when it already says something else,
     * such as why an upgrade was refused.
     */
    static String failingError(DeploymentRow row, JobObservation job) {
        if (row.error != null && !row.error.contains(FAILING)) {
            return null;
        }
        return "version " + row.runningVersion + FAILING + " (" + row.restarts + " restarts): "
                + (job.failure() == null ? "cause unknown" : job.failure());
    }

    private static final String FAILING = " fails and the engine restarts it";

    /**
     * A version that runs healthy when a new one replaces it is a fine place to come back to, even if its readiness
     * window has not ended: it becomes the last stable version, so that a failing successor rolls back to it.
     */
    private void markHealthyWhenReplaced(DeploymentRow row) {
        if (row.rollingBack || row.versionStartedAt == null || row.phase != Phase.RUNNING
                || Objects.equals(row.lastStableVersion, row.runningVersion)) {
            return;
        }
        row.lastStableVersion = row.runningVersion;
        row.versionStartedAt = null;
        writer.save(row);
        events.normal(null, row.key(), row.runningVersion, "VersionStable", "version " + row.runningVersion
                + " was running healthy when version " + row.specVersion + " replaced it: it is the version to roll "
                + "back to", ACTOR);
    }

    /**
     * A failing job cannot take a savepoint. If it completed no checkpoint since it started, it holds exactly the
     * state it started from (nothing it did was committed): cancel it and start the wanted version from that snapshot,
     * or from empty state when it started with none. Empty when the job did complete a checkpoint (the caller then
     * goes on as for any job that cannot take a savepoint), else whether it acted.
     */
    private Optional<Boolean> upgradeFromRestorePoint(DeploymentRow row, Engine engine, String what) {
        Optional<RetainedSnapshot> newest =
                engine.latestRetainedCheckpoint(layout.retainedCheckpointDirectory(row.key(), row.uid));
        boolean ownCheckpoint = newest.map(c -> c.location().contains("/" + row.jobId + "/")).orElse(false);
        String from = row.restoredFrom;
        if (ownCheckpoint || from == null && row.hasState) {
            if (RestorePin.NONE.equals(row.restoreOverride)) {
                // Decided by an earlier pass whose cancel did not happen; the job has state of its own since.
                row.restoreOverride = null;
                writer.save(row);
            }
            return Optional.empty();
        }
        row.restoreOverride = from == null ? RestorePin.NONE : RestorePin.of(from);
        writer.transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.UPGRADING, null);
        faults.reached(operation(row) + ".before-cancel");
        engine.cancel(row.jobId);
        faults.reached(operation(row) + ".after-cancel");
        row.jobId = null;
        row.error = null;
        writer.save(row);
        events.normal(null, row.key(), row.specVersion, "UpgradeFromRestorePoint", what + ": version "
                + row.runningVersion + " was failing (" + row.restarts + " restarts) and completed no checkpoint since "
                + "it started, so its state is " + (from == null ? "empty; starting from empty state"
                : "that of " + from + "; starting from it"), ACTOR);
        return Optional.of(true);
    }

    /**
     * The job cannot take a savepoint: use the newest retained checkpoint if it is young enough, else refuse and leave
     * the running version alone.
     */
    boolean upgradeFromCheckpoint(DeploymentRow row, PipelineSpec wanted, Engine engine, String what,
            String reason) {
        Duration maxAge = Durations.parse(wanted.checkpoints().fallbackMaxAgeOrDefault());
        Optional<RetainedSnapshot> checkpoint =
                engine.latestRetainedCheckpoint(layout.retainedCheckpointDirectory(row.key(), row.uid));
        long age = checkpoint.map(c -> clock.millis() - c.completedAt().toEpochMilli()).orElse(Long.MAX_VALUE);
        if (checkpoint.isEmpty() || age > maxAge.toMillis()) {
            String error = what + " refused: " + reason + ", and no retained checkpoint is younger than "
                    + wanted.checkpoints().fallbackMaxAgeOrDefault() + "; version " + row.runningVersion
                    + " keeps running";
            if (!error.equals(row.error)) {
                row.error = error;
                writer.save(row);
                events.warning(null, row.key(), row.specVersion, "UpgradeRefused", error, ACTOR);
            }
            return false;
        }
        row.restoreOverride = RestorePin.of(checkpoint.get().location());
        writer.transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.UPGRADING, null);
        engine.cancel(row.jobId);
        row.jobId = null;
        writer.save(row);
        events.warning(null, row.key(), row.specVersion, "UpgradeFromCheckpoint", what + ": " + reason
                + "; using retained checkpoint " + checkpoint.get().location() + " (" + age / 1000 + " s old)", ACTOR);
        return true;
    }

    /** Counts the engine's restarts of the running version's jobs. */
    void countRestarts(DeploymentRow row, JobObservation job) {
        if (job.lastRestartAt() != null && !job.lastRestartAt().equals(row.lastRestartAt)) {
            row.lastRestartAt = job.lastRestartAt();
            row.restarts += 1;
            writer.save(row);
            events.warning(null, row.key(), row.runningVersion, "JobRestarted", "the engine restarted job "
                    + row.jobId + " (" + row.restarts + " restarts of version " + row.runningVersion + ")", ACTOR);
        }
    }

    /**
     * A new version must reach running within its readiness window without restarting too often; then it is stable.
     * Otherwise it rolls back to the last stable version. Returns true when this pass started a rollback.
     */
    boolean watchReadiness(DeploymentRow row, PipelineSpec spec, JobObservation job) {
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
                writer.save(row);
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
            writer.save(row);
            events.warning(null, row.key(), row.runningVersion, "NotReady", why + "; no automatic rollback ("
                    + (stable == null || stable.equals(row.runningVersion) ? "no earlier stable version"
                    : "disabled") + ")", ACTOR);
            return false;
        }
        RestorePin.beginRollback(store, row, stable);
        writer.save(row);
        events.warning(null, row.key(), stable, "AutoRollback", why + "; rolling back to version " + stable
                + (RestorePin.isPinned(row.restoreOverride) ? " from " + RestorePin.location(row.restoreOverride)
                : ""), ACTOR);
        return true;
    }

    /** What a start or a stop belongs to, for fault point labels. */
    static String operation(DeploymentRow row) {
        if (row.rollingBack) {
            return "rollback";
        }
        return row.phase == Phase.UPGRADING ? "upgrade" : "start";
    }
}
