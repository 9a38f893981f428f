package dev.sluice.control.lifecycle;

import dev.sluice.model.Phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A version whose job fails again and again: it shows as failing (with why and how often), never as starting, and a
 * fix, a suspend or a cancel applied meanwhile takes effect instead of waiting for a savepoint the job cannot take.
 */
class CrashLoopTest extends LifecycleFixture {
    private static final String CAUSE = "java.lang.NumberFormatException: For input string: \"x\"";
    private static final String FIX = YAML.replace("SELECT * FROM orders", "SELECT id, amount FROM orders");

    /** Version 1 submitted; its job failed once and Flink restarts it. Returns the job id. */
    private String failingFirstVersion() {
        service.apply(YAML, "default", "alice");
        reconciler.pass();
        String job = row().jobId;
        engine.restartJob(job, CAUSE);
        reconciler.pass();
        return job;
    }

    @Test
    void aJobThatFailsAgainAndAgainIsFailingWithItsCauseAndRestartsUntilItRunsAWhile() {
        String job = failingFirstVersion();

        DeploymentRow row = row();
        assertThat(row.phase).isEqualTo(Phase.FAILING);
        assertThat(row.restarts).isEqualTo(1);
        assertThat(row.error).isEqualTo("version 1 fails and the engine restarts it (1 restarts): " + CAUSE);
        assertThat(event("Phase").message).isEqualTo("starting -> failing: " + row.error);

        engine.runAll(); // running again, for a moment
        reconciler.pass();
        assertThat(row().phase).as("a job that just restarted has not recovered yet").isEqualTo(Phase.FAILING);

        clock.advance(Duration.ofSeconds(5));
        engine.restartJob(job, CAUSE);
        reconciler.pass();
        assertThat(row().restarts).isEqualTo(2);
        assertThat(row().error).contains("(2 restarts)");

        engine.runAll();
        clock.advance(Decisions.RECOVERED_AFTER);
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(row().error).isNull();
    }

    @Test
    void aFixForAFailingFirstVersionRunsFromEmptyState() {
        String job = failingFirstVersion();

        service.apply(FIX, "default", "alice");
        reconciler.pass();

        assertThat(engine.cancelled()).containsExactly(job);
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        JobSubmission v2 = engine.lastSubmission();
        assertThat(v2.jobName()).isEqualTo("default/orders v2");
        assertThat(v2.restorePath()).isNull();
        assertThat(event("UpgradeFromRestorePoint").message).isEqualTo("upgrade from version 1 to 2: version 1 was "
                + "failing (1 restarts) and completed no checkpoint since it started, so its state is empty; starting "
                + "from empty state");
        assertThat(event("Submitted").message).endsWith("with empty state");
        DeploymentRow row = row();
        assertThat(row.phase).isEqualTo(Phase.STARTING);
        assertThat(row.runningVersion).isEqualTo(2);
        assertThat(row.error).isNull();
        assertThat(row.restarts).isZero();

        engine.runAll();
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
    }

    /** Version 1 ran, was suspended (savepoint S) and resumed from S; now it fails again and again. Returns S. */
    private SnapshotRow failingAfterRestoreFromSavepoint() {
        running();
        service.suspend(KEY, "alice");
        reconciler.pass();
        SnapshotRow savepoint = onlySnapshot();
        service.resume(KEY, "alice");
        reconciler.pass();
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(savepoint.location);
        engine.restartJob(row().jobId, CAUSE);
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.FAILING);
        return savepoint;
    }

    @Test
    void aFixForAVersionFailingSinceItsRestoreRunsFromThatSnapshot() {
        SnapshotRow savepoint = failingAfterRestoreFromSavepoint();
        String failing = row().jobId;

        service.apply(FIX, "default", "alice");
        reconciler.pass();

        assertThat(engine.cancelled()).containsExactly(failing);
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v2");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(savepoint.location);
        assertThat(event("UpgradeFromRestorePoint").message).endsWith("so its state is that of " + savepoint.location
                + "; starting from it");
        assertThat(event("Submitted").message).contains("restoring");
    }

    @Test
    void aFailingVersionThatCompletedACheckpointOfItsOwnUpgradesAsAnyRestartingJob() {
        String job = failingFirstVersion();
        retainCheckpoint("chk-1");
        service.apply(FIX, "default", "alice");
        reconciler.pass();

        assertThat(engine.cancelled()).containsExactly(job);
        assertThat(reasons()).contains("UpgradeFromCheckpoint").doesNotContain("UpgradeFromRestorePoint");
        assertThat(engine.lastSubmission().restorePath()).endsWith("/" + job + "/chk-1");
    }

    @Test
    void suspendingAFailingVersionCancelsItAndResumeRestoresItsRestorePoint() {
        SnapshotRow savepoint = failingAfterRestoreFromSavepoint();
        String failing = row().jobId;

        service.suspend(KEY, "alice");
        reconciler.pass();

        assertThat(engine.cancelled()).containsExactly(failing);
        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);
        assertThat(row().error).isNull();
        assertThat(event("JobStopped").message).startsWith("suspend: cancelled job " + failing + ", which was failing");

        service.resume(KEY, "alice");
        reconciler.pass();
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(savepoint.location);
    }

    @Test
    void cancellingAFailingVersionCancelsItsJob() {
        String job = failingFirstVersion();

        service.cancel(KEY, "alice");
        reconciler.pass();

        assertThat(engine.cancelled()).containsExactly(job);
        assertThat(row().phase).isEqualTo(Phase.CANCELLED);
    }

    @Test
    void aVersionRunningHealthyWhenReplacedIsTheRollbackTargetOfAFailingSuccessor() {
        String v1Job = running(); // inside its readiness window: not yet stable
        assertThat(row().lastStableVersion).isNull();

        service.apply(FIX + "  rollback: {maxRestarts: 0}\n", "default", "alice");
        reconciler.pass();
        SnapshotRow upgradeSavepoint = onlySnapshot();
        assertThat(engine.stopWithSavepointCalls()).extracting(c -> c.jobId()).containsExactly(v1Job);
        assertThat(row().lastStableVersion).isEqualTo(1);
        assertThat(event("VersionStable").message).isEqualTo("version 1 was running healthy when version 2 replaced "
                + "it: it is the version to roll back to");

        String v2Job = row().jobId;
        engine.restartJob(v2Job, CAUSE);
        reconciler.pass();
        assertThat(event("AutoRollback").message).startsWith("version 2 restarted 1 times (at most 0 allowed); "
                + "rolling back to version 1");

        reconciler.pass();
        assertThat(engine.cancelled()).contains(v2Job);
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v1");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(upgradeSavepoint.location);

        // The version rolled back to fails too: a fix applied now runs from the snapshot that version started from.
        String rolledBack = row().jobId;
        engine.restartJob(rolledBack, CAUSE);
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.FAILING);
        service.apply(FIX.replace("amount", "amount, id AS again"), "default", "alice");
        reconciler.pass();
        assertThat(engine.cancelled()).contains(rolledBack);
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v3");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(upgradeSavepoint.location);
        assertThat(engine.jobState(rolledBack)).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void aJobRedeployingLongAfterItsLastRestartIsStartingNotFailing() {
        String job = running();
        engine.restartJob(job, CAUSE);
        reconciler.pass();
        engine.runAll();
        clock.advance(Duration.ofHours(2));
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);

        engine.setJobState(job, JobState.STARTING); // tasks redeploying (a TaskManager was lost), no new restart
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.STARTING);
        service.suspend(KEY, "alice");
        reconciler.pass();
        assertThat(engine.cancelled()).as("a savepoint is waited for, as for any starting job").isEmpty();
    }

    @Test
    void anEmptyStartDecidedBeforeTheFailingJobGotStateOfItsOwnIsDropped() {
        String job = failingFirstVersion();
        service.apply(FIX, "default", "alice");
        // A pass stored its decision (the failing job holds no state: start empty) and died before the cancel.
        DeploymentRow decided = row();
        decided.restoreOverride = RestorePin.NONE;
        decided.phase = Phase.UPGRADING;
        store.deployments().update(decided);
        // Meanwhile the job recovered for a while, completed a checkpoint of its own, and fails again later.
        engine.runAll();
        retainCheckpoint("chk-3");
        clock.advance(Duration.ofMinutes(10)); // too old for the upgrade's checkpoint fallback
        engine.restartJob(job, CAUSE);
        reconciler.pass();
        assertThat(row().restoreOverride).as("the stale decision is gone").isNull();
        assertThat(reasons()).contains("UpgradeRefused");

        engine.failJob(job, CAUSE); // Flink gives up; resuming starts the wanted version from the newest state
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.FAILED);
        service.resume(KEY, "alice");
        reconciler.pass();

        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v2");
        assertThat(engine.lastSubmission().restorePath()).as("its own checkpoint, never empty")
                .endsWith("/" + job + "/chk-3");
    }

    @Test
    void suspendingAFailingJobPinsItsOwnNewestCheckpointForTheResume() {
        SnapshotRow savepoint = failingAfterRestoreFromSavepoint();
        String failing = row().jobId;
        retainCheckpoint("chk-9"); // the failing job had completed a checkpoint of its own before it began to fail

        service.suspend(KEY, "alice");
        reconciler.pass();
        service.resume(KEY, "alice");
        reconciler.pass();

        assertThat(engine.lastSubmission().restorePath()).endsWith("/" + failing + "/chk-9")
                .isNotEqualTo(savepoint.location);
    }
}
