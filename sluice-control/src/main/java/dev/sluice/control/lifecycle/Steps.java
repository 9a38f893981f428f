package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.engine.EngineUnreachableException;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.lifecycle.Step.Outcome;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.model.Durations;
import dev.sluice.model.Phase;
import dev.sluice.model.SnapshotOrigin;
import java.util.Objects;
import java.util.Optional;

/**
 * The steps of the lifecycle, one small class each. A step gets the observation it was decided on, acts on a copy of
 * the deployment's row, and writes it: intent before the engine is asked, the result after.
 */
final class Steps {
    private Steps() {}

    // --- nothing to do, or only to say

    /** Nothing this pass: {@code why} says what it waits for. */
    record Wait(String why) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            return Outcome.done(o.deployment().toRow());
        }
    }

    /** A target the deployment needs is not configured: said once, nothing started or stopped until it is back. */
    record NoteMissingTarget(String error) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.error = error;
            ctx.writer.record(row, true, row.runningVersion, "TargetMissing", error);
            return Outcome.done(row);
        }
    }

    /**
     * The target does not answer: the job may still run there, so nothing is started or stopped. Said once (error and
     * event) until the target answers again.
     */
    record NoteUnreachable(String error) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            note(ctx, row, o.currentTarget(), o.job().failure());
            return Outcome.done(row);
        }

        static void note(StepContext ctx, DeploymentRow row, String target, String failure) {
            row.error = Decisions.unreachable(target, failure);
            ctx.writer.record(row, true, row.runningVersion, "TargetUnreachable", "cannot reach target " + target
                    + " to observe job " + row.jobId + ": " + failure + "; waiting for it, nothing is started meanwhile");
        }
    }

    record ClearTargetError() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.error = null;
            ctx.writer.record(row, false, row.runningVersion, "TargetReachable",
                    "target " + o.currentTarget() + " answers again");
            return Outcome.next(row);
        }
    }

    // --- bookkeeping of the running version

    /** The engine restarted the job once more. */
    record CountRestart(long at) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.lastRestartAt = at;
            row.restarts += 1;
            ctx.writer.record(row, true, row.runningVersion, "JobRestarted", "the engine restarted job " + row.jobId
                    + " (" + row.restarts + " restarts of version " + row.runningVersion + ")");
            return Outcome.next(row);
        }
    }

    /** Once a running deployment has a completed checkpoint, it must never again start from empty state. */
    record MarkStateful() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.hasState = true;
            ctx.writer.save(row);
            return Outcome.next(row);
        }
    }

    /**
     * The running version ran through its readiness window, or runs healthy as a new one replaces it: it is where a
     * rollback returns to.
     */
    record MarkStable(String message) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.lastStableVersion = row.runningVersion;
            row.versionStartedAt = null;
            ctx.writer.record(row, false, row.runningVersion, "VersionStable", message);
            return Outcome.next(row);
        }
    }

    /** The running version failed its readiness watch and there is nothing to roll back to: said once. */
    record NotReady(String message) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.versionStartedAt = null;
            ctx.writer.record(row, true, row.runningVersion, "NotReady", message);
            return Outcome.next(row);
        }
    }

    /** The running version failed its readiness watch: the deployment goes back to its last stable version. */
    record BeginRollback(int stable, String why) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            RestorePin.beginRollback(ctx.store, row, stable);
            ctx.writer.record(row, true, stable, "AutoRollback", why + "; rolling back to version " + stable
                    + (RestorePin.isPinned(row.restoreOverride) ? " from " + RestorePin.location(row.restoreOverride)
                    : ""));
            return Outcome.done(row);
        }
    }

    /** Writes the phase the job's state says (an event when it changes); nothing when nothing changed. */
    record Transition(Phase phase, String error) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentView before = o.deployment();
            DeploymentRow row = before.toRow();
            if (phase == Phase.RUNNING) {
                row.rollingBack = false;
                if (row.phase == Phase.FAILING) {
                    row.error = null; // it recovered: the loop's cause no longer applies
                }
            }
            boolean changed = phase != before.phase() || error != null && !error.equals(before.error())
                    || row.rollingBack != before.rollingBack() || !Objects.equals(row.error, before.error());
            if (changed || o.unsaved()) {
                ctx.writer.transition(row, phase, error);
            }
            return Outcome.done(row);
        }
    }

    // --- moving to the wanted version

    /** Nothing the job does changes (labels, strategies): the wanted version runs in place of the running one. */
    record RunInPlace() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            int before = row.runningVersion;
            row.runningVersion = row.specVersion;
            row.rollingBack = false;
            if (RestorePin.isPinned(row.restoreOverride)) {
                row.restoreOverride = null; // the job keeps its state; a pin would rewind the next start
            }
            if (Objects.equals(row.lastStableVersion, before)) {
                row.lastStableVersion = row.specVersion;
            }
            ctx.writer.record(row, false, row.specVersion, "VersionInPlace", "version " + row.specVersion
                    + " runs in place of version " + before + ": no change to the job");
            return Outcome.next(row);
        }
    }

    /**
     * Cancels the old version's job, the next start's state decided first ({@code restoreOverride}: a pinned snapshot,
     * none, or null for the newest): intent, cancel, then the result with its event.
     */
    record StopOldJob(String restoreOverride, boolean clearError, String reason, String message, boolean warning)
            implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.restoreOverride = restoreOverride;
            ctx.writer.transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.UPGRADING, null);
            String op = Decisions.operation(DeploymentView.of(row));
            ctx.faults.reached(op + ".before-cancel");
            ctx.engine(o.currentTarget()).cancel(row.jobId);
            ctx.faults.reached(op + ".after-cancel");
            row.jobId = null;
            if (clearError) {
                row.error = null;
            }
            ctx.writer.record(row, warning, row.specVersion, reason, message);
            return Outcome.observeAgain(row);
        }
    }

    /**
     * Stops the old version's job with a savepoint (the snapshot row first), and pins it for the new version: a
     * stateful upgrade carries exactly the state it saved. When the savepoint fails, the newest retained checkpoint
     * may do instead.
     */
    record UpgradeThroughSavepoint(String what) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            ctx.writer.transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.UPGRADING, null);
            Optional<SnapshotRow> snapshot =
                    ctx.snapshots.stopWithSavepoint(row, ctx.engine(o.currentTarget()), SnapshotOrigin.UPGRADE);
            if (snapshot.isPresent()) {
                row.restoreOverride = RestorePin.of(snapshot.get().location);
                ctx.writer.record(row, false, row.specVersion, "UpgradeSavepoint", what + " from snapshot "
                        + snapshot.get().id);
                return Outcome.observeAgain(row);
            }
            Observation now = ctx.reobserve(row, o.job());
            Step fallback = Decisions.withoutSavepoint(now, what, Decisions.SAVEPOINT_FAILED);
            // Refused (said once): deciding again puts the running version back to running this pass.
            return fallback == null ? Outcome.next(row) : fallback.act(ctx, now);
        }
    }

    /** An upgrade's pin that the job's own newer checkpoint made stale is dropped; the upgrade is decided anew. */
    record DropStalePin() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            String pinned = RestorePin.location(row.restoreOverride);
            row.restoreOverride = null;
            ctx.writer.record(row, false, row.specVersion, "RestorePointDropped", "job " + row.jobId + " completed a "
                    + "checkpoint of its own after " + pinned + " was chosen for the upgrade (its cancel did not "
                    + "happen); the upgrade starts from the job's newest state instead");
            return Outcome.next(row);
        }
    }

    /** No savepoint and no young checkpoint: the upgrade is refused, said once; the running version keeps running. */
    record RefuseUpgrade(String error) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            if (RestorePin.NONE.equals(row.restoreOverride)) {
                row.restoreOverride = null;
            }
            if (error.equals(row.error)) {
                ctx.writer.save(row);
            } else {
                row.error = error;
                ctx.writer.record(row, true, row.specVersion, "UpgradeRefused", error);
            }
            return Outcome.next(row);
        }
    }

    // --- starting

    /** Whether the job a start replaces vanished from its target, and how to say so. */
    enum JobLost {
        NO,
        /** It ran inside the previous Sluice process, which ended: expected, said as a normal event. */
        WITH_CONTROL_PLANE,
        YES;

        void say(StepContext ctx, DeploymentRow row, String target) {
            if (this == WITH_CONTROL_PLANE) {
                ctx.events.normal(null, row.key(), row.runningVersion, "JobLost", "job " + row.jobId
                        + " ended with the previous Sluice process (target " + target + " runs inside it); restarting "
                        + "from the newest snapshot", StepContext.ACTOR);
            } else if (this == YES) {
                ctx.events.warning(null, row.key(), row.runningVersion, "JobLost", "job " + row.jobId
                        + " is no longer known to the engine; restarting from the newest snapshot", StepContext.ACTOR);
            }
        }
    }

    /**
     * Submits a job of the wanted version to its target, restoring {@code restore} (null: empty state). Intent first:
     * the job id, attempt and restore point are stored before the engine is asked.
     */
    record StartJob(RestorePoints.RestorePoint restore, boolean resubmit, JobLost lost) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            String op = Decisions.operation(o.deployment());
            Engine engine = ctx.engine(o.wantedTarget());
            CompiledPipeline plan = o.wantedPlan().get(); // read before the intent is written
            lost.say(ctx, row, o.currentTarget());
            if (row.jobId != null) {
                ctx.observedAlive.remove(row.jobId);
                // A submission whose outcome is unknown goes again under the same job id: if the first one arrived
                // after all, Flink refuses the duplicate and the job is adopted; never two jobs.
                ctx.uncertainSubmissions.remove(row.jobId);
            }
            if (!resubmit) {
                row.jobAttempt += 1;
                row.jobId = JobIds.of(row.uid, row.jobAttempt);
                row.recordsIn = null; // counts belong to a job; the new one reports its own
                row.recordsOut = null;
            }
            boolean newVersion = !Objects.equals(row.runningVersion, row.specVersion);
            if (newVersion || row.lastStableVersion == null || row.versionStartedAt != null) {
                // A new version, the first, or one still on watch (resumed, restarted): its readiness window starts
                // now, unless it is the stable version being returned to.
                boolean backToStable = Objects.equals(row.lastStableVersion, row.specVersion);
                row.versionStartedAt = backToStable ? null : ctx.clock.millis();
                row.restarts = 0;
            }
            row.runningVersion = row.specVersion;
            row.restoredFrom = restore == null ? null : restore.location();
            row.restoreOverride = null;
            row.error = null;
            ctx.writer.transition(row, row.rollingBack ? Phase.ROLLING_BACK : Phase.STARTING, null);
            JobSubmission submission = new JobSubmission(
                    row.jobId,
                    row.key() + " v" + row.specVersion,
                    plan,
                    o.wanted().parallelism(),
                    Durations.parse(o.wanted().checkpoints().interval()),
                    ctx.layout.checkpointDirectory(row.key(), row.uid),
                    row.restoredFrom,
                    Boolean.TRUE.equals(o.wanted().allowNonRestoredState()),
                    o.wanted().flinkConfiguration());
            ctx.faults.reached(op + ".before-submit");
            try {
                engine.submit(submission);
                ctx.faults.reached(op + ".after-submit");
                ctx.events.normal(null, row.key(), row.specVersion, "Submitted", "job " + row.jobId + " of version "
                        + row.specVersion + " to " + engine.target()
                        + (restore == null ? " with empty state" : " restoring " + restore.describe()),
                        StepContext.ACTOR);
            } catch (EngineUnreachableException e) {
                // The submission may or may not have arrived (or may still arrive). The job id is stored: the next
                // pass observes it, and once the target answers submits again under the same id.
                ctx.uncertainSubmissions.add(row.jobId);
                NoteUnreachable.note(ctx, row, engine.target(), e.getMessage());
            } catch (EngineException e) {
                ctx.writer.transition(row, Phase.FAILED, "submitting the job failed: " + e.getMessage());
            }
            return Outcome.done(row);
        }
    }

    /** The deployment had state and none of it can be found: it must not start from empty state. */
    record RefuseEmptyStart(JobLost lost) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            lost.say(ctx, row, o.currentTarget());
            ctx.writer.transition(row, Phase.FAILED, "no completed snapshot or retained checkpoint found, though the "
                    + "deployment had state; refusing to start from empty state");
            return Outcome.done(row);
        }
    }

    // --- snapshots

    /** A snapshot was in progress when its job went away: it completed if its savepoint is in its directory. */
    record ResolvePendingSnapshot() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            ctx.snapshots.resolvePendingSnapshot(row);
            return Outcome.next(row);
        }
    }

    /** {@code savepoints.periodic} is due: a snapshot row, in progress, is the intent. */
    record RequestPeriodicSnapshot() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.rollingBack = false;
            ctx.snapshots.pendingSnapshot(row, SnapshotOrigin.PERIODIC);
            return Outcome.next(row);
        }
    }

    /** Triggers the savepoint of the pending (user or periodic) snapshot; the job keeps running. */
    record TakeSnapshot() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            row.rollingBack = false;
            ctx.snapshots.takePendingSnapshot(row, ctx.engine(o.currentTarget()));
            return Outcome.done(row);
        }
    }

    /** Deletes the snapshots the retention policy lets go. */
    record ApplyRetention() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            ctx.snapshots.applyRetention(row, o.wanted());
            return Outcome.done(row);
        }
    }

    // --- stopping

    /** Suspends a running job: stop with a savepoint, then suspended. */
    record StopForSuspend() implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            if (ctx.snapshots.stopWithSavepoint(row, ctx.engine(o.currentTarget()), SnapshotOrigin.SUSPEND).isPresent()) {
                ctx.writer.transition(row, Phase.SUSPENDED, null);
            }
            return Outcome.done(row);
        }
    }

    /**
     * Ends in {@code to} (suspended or cancelled), cancelling the job first when {@code cancel}. {@code resumeFrom}
     * is stored before the cancel (where a resume starts); {@code message} is said as the cancel's event.
     */
    record Stop(Phase to, boolean cancel, String resumeFrom, String message) implements Step {
        @Override
        public Outcome act(StepContext ctx, Observation o) {
            DeploymentRow row = o.deployment().toRow();
            Engine engine = ctx.engine(o.currentTarget());
            if (resumeFrom != null) {
                row.restoreOverride = RestorePin.of(resumeFrom);
                ctx.writer.save(row);
            }
            if (cancel) {
                engine.cancel(row.jobId);
                if (message != null) {
                    ctx.events.normal(null, row.key(), row.runningVersion, "JobStopped", message, StepContext.ACTOR);
                }
            }
            if (row.pendingSnapshot != null) {
                ctx.snapshots.resolvePendingSnapshot(row);
            }
            row.jobId = null;
            if (to == Phase.SUSPENDED && row.phase == Phase.FAILING) {
                row.error = null;
            }
            ctx.writer.transition(row, to, null);
            return Outcome.done(row);
        }
    }
}
