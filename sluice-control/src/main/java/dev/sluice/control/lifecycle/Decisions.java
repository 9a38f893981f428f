package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.model.DiffType;
import dev.sluice.model.Durations;
import dev.sluice.model.Phase;
import dev.sluice.model.RestoreStrategy;
import dev.sluice.model.RollbackSpec;
import dev.sluice.model.SpecDiff;
import dev.sluice.model.UpgradeAction;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The decide part of a pass: from an {@link Observation}, the next {@link Step}. A pure function: it reads the
 * observation only, so the whole lifecycle can be tested as a table of observations and the steps they lead to. The
 * pass acts the step and, unless the step ends it, decides again on what the step wrote; so steps that only write
 * (count a restart, clear a target error) come before the one that acts on the engine.
 */
final class Decisions {
    static final String UNREACHABLE_PREFIX = "target unreachable: ";
    static final String MISSING_TARGET_PREFIX = "target not configured: ";
    /** How long a job must run after its last restart before a failing deployment counts as running again. */
    static final Duration RECOVERED_AFTER = Duration.ofSeconds(10);
    private static final String FAILING = " fails and the engine restarts it";
    static final String SAVEPOINT_FAILED = "the savepoint failed";

    private Decisions() {}

    static Step next(Observation o) {
        DeploymentView d = o.deployment();
        JobObservation job = o.job();
        if (o.missingTarget() != null) {
            String error = MISSING_TARGET_PREFIX + o.missingTarget() + " (sluice.yaml targets: " + o.targetNames()
                    + "); nothing is started or stopped until it is back";
            return error.equals(d.error()) ? new Steps.Wait("target " + o.missingTarget() + " is not configured")
                    : new Steps.NoteMissingTarget(error);
        }
        if (job.state() == JobState.UNREACHABLE) {
            // Nothing is known; acting now could start a second job.
            return d.jobId() == null || startsWith(d.error(), UNREACHABLE_PREFIX)
                    ? new Steps.Wait("target " + o.currentTarget() + " does not answer")
                    : new Steps.NoteUnreachable(unreachable(o.currentTarget(), job.failure()));
        }
        if (startsWith(d.error(), UNREACHABLE_PREFIX) || startsWith(d.error(), MISSING_TARGET_PREFIX)) {
            return new Steps.ClearTargetError();
        }
        return switch (d.desiredState()) {
            case RUNNING -> running(o);
            case SUSPENDED -> suspended(o);
            case CANCELLED -> cancelled(o);
        };
    }

    /** What {@code status.error} says while {@code target} does not answer. */
    static String unreachable(String target, String failure) {
        return UNREACHABLE_PREFIX + target + ": " + failure;
    }

    /** Retention runs after the pass's steps, when the wanted version has a savepoint policy. */
    static Optional<Step> retention(Observation o) {
        return o.missingTarget() == null && o.job().state() != JobState.UNREACHABLE && o.wanted().savepoints() != null
                ? Optional.of(new Steps.ApplyRetention()) : Optional.empty();
    }

    private static Step running(Observation o) {
        DeploymentView d = o.deployment();
        JobObservation job = o.job();
        Phase phase = d.phase();
        if (d.pendingSnapshot() != null && !job.state().alive()) {
            return new Steps.ResolvePendingSnapshot();
        }
        if (phase == Phase.FAILED || phase == Phase.FINISHED) {
            return new Steps.Wait(phase.wire() + " until the user acts (resume, apply, rollback)");
        }
        if (job.lastRestartAt() != null && !job.lastRestartAt().equals(d.lastRestartAt())) {
            return new Steps.CountRestart(job.lastRestartAt());
        }
        // An upgrade or rollback stops the old job (finished after its savepoint, or cancelled) before the next starts.
        // Only the old version's job counts as stopped for the move; a failure of the new one is a failure.
        boolean moving = (phase == Phase.UPGRADING || phase == Phase.ROLLING_BACK)
                && !Objects.equals(d.runningVersion(), d.specVersion());
        if (moving && (job.state() == JobState.FINISHED || job.state() == JobState.CANCELLED
                || job.state() == JobState.FAILED)) {
            return start(o, false);
        }
        if (job.state().alive() && d.onOtherVersion()) {
            Step move = moveToWantedVersion(o);
            if (move != null) {
                return move;
            }
        }
        if ((job.state().alive() || job.state() == JobState.FAILED) && d.runningVersion() != null) {
            Step watch = readiness(o);
            if (watch != null) {
                return watch;
            }
        }
        return switch (job.state()) {
            case STARTING, RESTARTING -> crashLooping(job, o.now())
                    ? new Steps.Transition(Phase.FAILING, failingError(d, job))
                    : new Steps.Transition(d.rollingBack() ? Phase.ROLLING_BACK : Phase.STARTING, null);
            case RUNNING -> runningJob(o);
            case FINISHED -> new Steps.Transition(Phase.FINISHED, null);
            case FAILED -> new Steps.Transition(Phase.FAILED, "the job failed: " + job.failure());
            case CANCELLED -> new Steps.Transition(Phase.FAILED, "the job was cancelled outside Sluice");
            case NOT_FOUND -> start(o, true);
            case UNREACHABLE -> new Steps.Wait("target " + o.currentTarget() + " does not answer");
        };
    }

    private static Step runningJob(Observation o) {
        DeploymentView d = o.deployment();
        if (d.phase() == Phase.FAILING && d.lastRestartAt() != null
                && o.now() - d.lastRestartAt() < RECOVERED_AFTER.toMillis()) {
            return new Steps.Wait("running again just after a restart is not yet recovering from the loop");
        }
        if (!d.hasState() && o.newestCheckpoint().get().isPresent()) {
            return new Steps.MarkStateful(); // from now on it must never start from empty state again
        }
        if (d.pendingSnapshot() == null && o.periodicSavepointDue().get()) {
            return new Steps.RequestPeriodicSnapshot();
        }
        if (d.pendingSnapshot() != null) {
            return new Steps.TakeSnapshot();
        }
        return new Steps.Transition(Phase.RUNNING, null);
    }

    /**
     * A job of an older version runs: what the wanted version needs, from the typed spec diff; null when nothing is to
     * be done now (upgrade strategy none, or an upgrade already refused and recorded).
     */
    private static Step moveToWantedVersion(Observation o) {
        DeploymentView d = o.deployment();
        SpecDiff diff = SpecDiff.between(o.running(), o.wanted());
        if (diff.type().compareTo(DiffType.SCALE) < 0) {
            return new Steps.RunInPlace(); // nothing the job does changes (labels, strategies)
        }
        if (!d.rollingBack() && !diff.action().restarts()) {
            return null; // upgradeStrategy none: the old version runs until the next start
        }
        UpgradeAction action = d.rollingBack() && !diff.action().restarts() ? UpgradeAction.STATEFUL_UPGRADE
                : diff.action();
        return upgrade(o, action);
    }

    private static Step upgrade(Observation o, UpgradeAction action) {
        DeploymentView d = o.deployment();
        JobObservation job = o.job();
        String what = what(d);
        if (stalePin(o)) {
            return new Steps.DropStalePin();
        }
        if (d.pinned() || action == UpgradeAction.STATELESS_RESTART) {
            // The next job's state is already decided (a pinned snapshot, or none): the current state is not needed.
            String override = d.pinned() ? d.restoreOverride() : RestorePin.NONE;
            return new Steps.StopOldJob(override, false, "JobStopped", what + ": cancelled the old job", false);
        }
        if (d.rollingBack() && job.state() != JobState.RUNNING) {
            // Getting away from a version that does not run beats waiting for a savepoint it cannot take.
            return new Steps.StopOldJob(d.restoreOverride(), false, "JobStopped", what + ": cancelled the old job, "
                    + "which was " + job.state().name().toLowerCase(Locale.ROOT) + "; starting from the newest state",
                    false);
        }
        if (crashLooping(job, o.now())) {
            // A failing job that completed no checkpoint since it started holds exactly the state it started from
            // (nothing it did was committed): the new version starts from that, or from empty state.
            String from = d.restoredFrom();
            if (!o.jobHasOwnCheckpoint() && !(from == null && d.hasState())) {
                return new Steps.StopOldJob(from == null ? RestorePin.NONE : RestorePin.of(from), true,
                        "UpgradeFromRestorePoint", what + ": version " + d.runningVersion() + " was failing ("
                        + d.restarts() + " restarts) and completed no checkpoint since it started, so its state is "
                        + (from == null ? "empty; starting from empty state" : "that of " + from + "; starting from it"),
                        false);
            }
        } else if (job.state() == JobState.STARTING) {
            return new Steps.Wait("a savepoint needs a running job");
        }
        if (job.state() == JobState.RUNNING) {
            if ((d.phase() == Phase.UPGRADING || d.phase() == Phase.ROLLING_BACK)
                    && startsWith(d.error(), what + " refused: " + SAVEPOINT_FAILED)) {
                return null; // this pass's savepoint failed: back to running; the next pass tries again
            }
            if (healthyWhenReplaced(d)) {
                // Even inside its readiness window: a failing successor rolls back to it.
                return new Steps.MarkStable("version " + d.runningVersion() + " was running healthy when version "
                        + d.specVersion() + " replaced it: it is the version to roll back to");
            }
            return new Steps.UpgradeThroughSavepoint(what);
        }
        return withoutSavepoint(o, what, "the job is restarting and cannot take a savepoint");
    }

    /**
     * An upgrade's pin decided for a job that could not take a savepoint (its restore point, or its newest checkpoint
     * then), whose cancel did not happen (the process died in between, and the job runs on a cluster that outlived
     * it): once the job has completed a checkpoint of its own newer than the pin, starting from the pin would lose what
     * it did since. A rollback's pin is the user's choice of state and stays.
     */
    private static boolean stalePin(Observation o) {
        DeploymentView d = o.deployment();
        if (d.rollingBack() || !d.pinned() || !o.jobHasOwnCheckpoint()) {
            return false;
        }
        return !o.newestCheckpoint().get().orElseThrow().location().equals(RestorePin.location(d.restoreOverride()));
    }

    /**
     * The job cannot take a savepoint: the newest retained checkpoint if it is young enough, else a refusal that
     * leaves the running version alone (null once that refusal is recorded).
     */
    static Step withoutSavepoint(Observation o, String what, String reason) {
        DeploymentView d = o.deployment();
        String maxAgeText = o.wanted().checkpoints().fallbackMaxAgeOrDefault();
        Optional<RetainedSnapshot> checkpoint = o.newestCheckpoint().get();
        long age = checkpoint.map(c -> o.now() - c.completedAt().toEpochMilli()).orElse(Long.MAX_VALUE);
        if (checkpoint.isEmpty() || age > Durations.parse(maxAgeText).toMillis()) {
            String error = what + " refused: " + reason + ", and no retained checkpoint is younger than " + maxAgeText
                    + "; version " + d.runningVersion() + " keeps running";
            // An empty start decided by an earlier pass whose cancel did not happen no longer holds: the job has
            // state of its own since.
            return error.equals(d.error()) && !RestorePin.NONE.equals(d.restoreOverride()) ? null
                    : new Steps.RefuseUpgrade(error);
        }
        return new Steps.StopOldJob(RestorePin.of(checkpoint.get().location()), false, "UpgradeFromCheckpoint",
                what + ": " + reason + "; using retained checkpoint " + checkpoint.get().location() + " ("
                        + age / 1000 + " s old)", true);
    }

    /**
     * A new version must reach running within its readiness window without restarting too often; then it is stable.
     * Otherwise it rolls back to the last stable version. Null when there is nothing to record.
     */
    private static Step readiness(Observation o) {
        DeploymentView d = o.deployment();
        JobObservation job = o.job();
        if (d.versionStartedAt() == null) {
            return null;
        }
        RollbackSpec policy = o.running().rollback().withDefaults();
        long window = Durations.parse(policy.readinessTimeout()).toMillis();
        long age = o.now() - d.versionStartedAt();
        boolean tooManyRestarts = d.restarts() > policy.maxRestarts();
        boolean notReady = age >= window && job.state() != JobState.RUNNING || job.state() == JobState.FAILED;
        if (!tooManyRestarts && !notReady) {
            return age >= window ? new Steps.MarkStable("version " + d.runningVersion()
                    + " ran through its readiness window of " + policy.readinessTimeout()) : null;
        }
        String why = "version " + d.runningVersion() + (tooManyRestarts ? " restarted " + d.restarts()
                + " times (at most " + policy.maxRestarts() + " allowed)"
                : job.state() == JobState.FAILED ? " failed: " + job.failure()
                : " did not reach running within " + policy.readinessTimeout());
        Integer stable = d.lastStableVersion();
        if (!Boolean.TRUE.equals(policy.enabled()) || stable == null || stable.equals(d.runningVersion())) {
            return new Steps.NotReady(why + "; no automatic rollback ("
                    + (stable == null || stable.equals(d.runningVersion()) ? "no earlier stable version" : "disabled")
                    + ")");
        }
        return new Steps.BeginRollback(stable, why);
    }

    /** Starts the wanted version; {@code lost}: the previous job vanished from its target rather than was stopped. */
    private static Step start(Observation o, boolean lost) {
        DeploymentView d = o.deployment();
        boolean resubmit = d.jobId() != null && o.uncertainSubmission();
        Steps.JobLost jobLost = !lost || resubmit || d.jobId() == null || d.phase() == Phase.PENDING
                ? Steps.JobLost.NO
                : o.currentStopsWithControlPlane() && !o.seenAlive() ? Steps.JobLost.WITH_CONTROL_PLANE
                : Steps.JobLost.YES;
        boolean pinned = d.pinned();
        boolean ignoreState = !pinned && (RestorePin.NONE.equals(d.restoreOverride())
                || o.wanted().restoreStrategy() == RestoreStrategy.NONE);
        Optional<RestorePoints.RestorePoint> restore = pinned
                ? Optional.of(new RestorePoints.RestorePoint(RestorePin.location(d.restoreOverride()), 0, null,
                        "pinned snapshot"))
                : ignoreState ? Optional.empty() : o.newestRestorePoint().get();
        if (restore.isEmpty() && d.hasState() && !ignoreState) {
            return new Steps.RefuseEmptyStart(jobLost);
        }
        return new Steps.StartJob(restore.orElse(null), resubmit, jobLost);
    }

    private static Step suspended(Observation o) {
        DeploymentView d = o.deployment();
        JobObservation job = o.job();
        if (job.state() == JobState.RUNNING) {
            return new Steps.StopForSuspend();
        }
        if (job.state() == JobState.STARTING || job.state() == JobState.RESTARTING) {
            if (!crashLooping(job, o.now())) {
                return new Steps.Wait("a savepoint needs a running job");
            }
            // A job that fails again and again takes no savepoint; its state is in its newest retained checkpoint,
            // or, if it completed none, in the snapshot it started from. That is where resume starts, whatever the
            // restore strategy would pick among older savepoints.
            String resumeFrom = o.jobHasOwnCheckpoint() ? o.newestCheckpoint().get().orElseThrow().location()
                    : d.restoredFrom();
            return new Steps.Stop(Phase.SUSPENDED, true, resumeFrom, "suspend: cancelled job " + d.jobId()
                    + ", which was failing (" + d.restarts() + " restarts) and cannot take a savepoint; resume starts "
                    + "from the newest snapshot or retained checkpoint");
        }
        if (d.pendingSnapshot() != null) {
            return new Steps.ResolvePendingSnapshot();
        }
        if (d.jobId() == null && d.phase() == Phase.SUSPENDED) {
            return new Steps.Wait("suspended");
        }
        return new Steps.Stop(Phase.SUSPENDED, false, null, null);
    }

    private static Step cancelled(Observation o) {
        DeploymentView d = o.deployment();
        if (o.job().state().alive()) {
            return new Steps.Stop(Phase.CANCELLED, true, null, null);
        }
        if (d.pendingSnapshot() != null) {
            return new Steps.ResolvePendingSnapshot();
        }
        if (d.jobId() == null && d.phase() == Phase.CANCELLED) {
            return new Steps.Wait("cancelled");
        }
        return new Steps.Stop(Phase.CANCELLED, false, null, null);
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
    static String failingError(DeploymentView d, JobObservation job) {
        if (d.error() != null && !d.error().contains(FAILING)) {
            return null;
        }
        return "version " + d.runningVersion() + FAILING + " (" + d.restarts() + " restarts): "
                + (job.failure() == null ? "cause unknown" : job.failure());
    }

    /**
     * A version that runs healthy when a new one replaces it is a fine place to come back to, even if its readiness
     * window has not ended.
     */
    private static boolean healthyWhenReplaced(DeploymentView d) {
        return !d.rollingBack() && d.versionStartedAt() != null && d.phase() == Phase.RUNNING
                && !Objects.equals(d.lastStableVersion(), d.runningVersion());
    }

    static String what(DeploymentView d) {
        return (d.rollingBack() ? "rollback" : "upgrade") + " from version " + d.runningVersion() + " to "
                + d.specVersion();
    }

    /** What a start or a stop belongs to, for fault point labels. */
    static String operation(DeploymentView d) {
        if (d.rollingBack()) {
            return "rollback";
        }
        return d.phase() == Phase.UPGRADING ? "upgrade" : "start";
    }

    private static boolean startsWith(String text, String prefix) {
        return text != null && text.startsWith(prefix);
    }
}
