package dev.sluice.control.lifecycle;

import dev.sluice.model.DesiredState;
import dev.sluice.model.Phase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.engine.PipelineRejectedException;
import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.engine.TestingEngine;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.H2Databases;
import dev.sluice.control.store.EventRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DiffType;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SpecDiff;
import dev.sluice.model.SpecError;
import dev.sluice.model.UpgradeAction;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Moving a running deployment to a new version by the typed spec diff (in place, rescale, stateless restart, stateful
 * upgrade, checkpoint fallback), watching the new version through its readiness window, and rolling back to the last
 * stable version, automatically or on request.
 */
class UpgradeAndRollbackTest extends LifecycleFixture {
    /** Version 2 in most tests: a different job graph. */
    private static final String NEW_SQL = YAML.replace("SELECT * FROM orders", "SELECT id, amount FROM orders");

    // --- a change that does nothing to the job

    @Test
    void aStrategyOnlyChangeRunsInPlace() {
        String job = stableVersion1();

        ApplyResult result = service.apply(YAML + "  upgradeStrategy: stateless\n", "default", "alice");
        reconciler.pass();

        assertThat(result).isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.UPDATED, 2));
        DeploymentRow row = row();
        assertThat(row.specVersion).isEqualTo(2);
        assertThat(row.runningVersion).isEqualTo(2);
        assertThat(row.lastStableVersion).isEqualTo(2); // the stable job is still the one that runs
        assertThat(row.jobId).isEqualTo(job);
        assertThat(row.phase).isEqualTo(Phase.RUNNING);
        assertThat(engine.jobState(job)).isEqualTo(JobState.RUNNING);
        assertThat(engine.submissions()).hasSize(1);
        assertThat(engine.cancelled()).isEmpty();
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(store.snapshots().list("default", "orders")).isEmpty();
        EventRow inPlace = event("VersionInPlace");
        assertThat(inPlace.version).isEqualTo(2);
        assertThat(inPlace.message).isEqualTo("version 2 runs in place of version 1: no change to the job");

        reconciler.pass();

        assertThat(reasons()).filteredOn("VersionInPlace"::equals).hasSize(1);
        assertThat(engine.submissions()).hasSize(1);
    }

    @Test
    void aRollbackThatRunsInPlaceLeavesNoPinForTheNextStart() {
        String job = running();
        SnapshotRow version1Snapshot = userSnapshot();
        clock.advance(Duration.ofSeconds(61));
        reconciler.pass(); // version 1 is stable
        service.apply(YAML + "  upgradeStrategy: stateless\n", "default", "alice");
        reconciler.pass(); // version 2 runs in place
        clock.advance(Duration.ofMinutes(10));
        SnapshotRow version2Snapshot = userSnapshot();

        service.rollback(KEY, 1, "alice");

        assertThat(row().restoreOverride).isEqualTo("pin:" + version1Snapshot.location);
        assertThat(event("RollbackRequested").message).isEqualTo("rollback from version 2 to version 1 from "
                + version1Snapshot.location);

        reconciler.pass(); // version 1 runs in place of version 2: the job keeps its newer state

        DeploymentRow back = row();
        assertThat(back.runningVersion).isEqualTo(1);
        assertThat(back.jobId).isEqualTo(job);
        assertThat(back.phase).isEqualTo(Phase.RUNNING);
        assertThat(back.rollingBack).isFalse();
        assertThat(back.restoreOverride).isNull();
        assertThat(back.lastStableVersion).isEqualTo(1);
        assertThat(event("VersionInPlace").message).isEqualTo("version 1 runs in place of version 2: no change to "
                + "the job");
        assertThat(engine.submissions()).hasSize(1);
        assertThat(engine.cancelled()).isEmpty();

        engine.restart(); // the job is lost
        reconciler.pass();

        assertThat(engine.submissions()).hasSize(2);
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v1");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(version2Snapshot.location); // not the stale pin
        assertThat(row().phase).isEqualTo(Phase.STARTING);
    }

    @Test
    void aCheckpointFallbackAgeOnlyChangeRunsInPlace() {
        String job = running();

        service.apply(YAML + "  checkpoints: {fallbackMaxAge: 1h}\n", "default", "alice");
        reconciler.pass();

        assertThat(row().runningVersion).isEqualTo(2);
        assertThat(row().jobId).isEqualTo(job);
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(engine.submissions()).hasSize(1);
        assertThat(engine.cancelled()).isEmpty();
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(event("VersionInPlace").version).isEqualTo(2);
    }

    // --- rescale by strategy

    @Test
    void aParallelismChangeWithTheStatefulStrategyRescalesThroughASavepoint() {
        String oldJob = running();

        service.apply(YAML + "  parallelism: 3\n", "default", "alice");
        reconciler.pass(); // stop with a savepoint and start version 2 from it

        SnapshotRow savepoint = onlySnapshot();
        assertThat(savepoint.origin).isEqualTo("upgrade");
        assertThat(savepoint.version).isEqualTo(1);
        assertThat(savepoint.state).isEqualTo("completed");
        assertThat(engine.stopWithSavepointCalls()).extracting(TestingEngine.SavepointCall::jobId)
                .containsExactly(oldJob);
        assertThat(engine.cancelled()).isEmpty();
        assertThat(event("UpgradeSavepoint").message)
                .isEqualTo("upgrade from version 1 to 2 from snapshot " + savepoint.id);
        JobSubmission v2 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(2);
        assertThat(v2.jobName()).isEqualTo("default/orders v2");
        assertThat(v2.parallelism()).isEqualTo(3);
        assertThat(v2.restorePath()).isEqualTo(savepoint.location);
        assertThat(engine.aliveWhenSubmitted(v2.jobId())).isEmpty();
        DeploymentRow started = row();
        assertThat(started.phase).isEqualTo(Phase.STARTING);
        assertThat(started.jobId).isEqualTo(v2.jobId());
        assertThat(started.runningVersion).isEqualTo(2);
        assertThat(started.restoredFrom).isEqualTo(savepoint.location);

        reconciler.pass();

        assertThat(engine.submissions()).hasSize(2);
        assertThat(engine.stopWithSavepointCalls()).hasSize(1);
    }

    @Test
    void thePreflightCheckFollowsACheckpointThatFlinkSubsumedMeanwhile() {
        running();
        RetainedSnapshot older = retainCheckpoint("chk-3");
        reconciler.pass(); // the deployment has state now
        String directory = layout().retainedCheckpointDirectory(KEY, row().uid);
        RetainedSnapshot newer = new RetainedSnapshot(directory + "/" + row().jobId + "/chk-4", clock.instant(), 2048);
        engine.subsumeOnNextRestoreCheck(directory, newer);

        ApplyResult result = service.apply(YAML + "  parallelism: 3\n", "default", "alice");

        assertThat(result.version()).isEqualTo(2);
        assertThat(engine.restoreChecks()).containsExactly(older.location(), newer.location());
    }

    @Test
    void scaleIsAVersionWithOnlyTheParallelismChanged() {
        String oldJob = running();

        ApplyResult scaled = service.scale(KEY, 3, "bob");
        reconciler.pass();

        assertThat(scaled).isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.UPDATED, 2));
        dev.sluice.model.PipelineSpec v1 = VersionSpecs.read(store.versions().find(KEY, 1).orElseThrow());
        dev.sluice.model.PipelineSpec v2 = VersionSpecs.read(store.versions().find(KEY, 2).orElseThrow());
        assertThat(v2.parallelism()).isEqualTo(3);
        assertThat(SpecDiff.between(v1, v2).action()).isEqualTo(UpgradeAction.RESCALE);
        assertThat(engine.stopWithSavepointCalls()).extracting(TestingEngine.SavepointCall::jobId)
                .containsExactly(oldJob);
        assertThat(engine.lastSubmission().parallelism()).isEqualTo(3);
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(onlySnapshot().location);
        assertThat(service.scale(KEY, 3, "bob").outcome()).isEqualTo(ApplyResult.Outcome.UNCHANGED);
        SpecError error = catchThrowableOfType(InvalidSpecException.class, () -> service.scale(KEY, 0, "bob"))
                .errors().get(0);
        assertThat(error.field()).isEqualTo("parallelism");
    }

    @Test
    void scalingASuspendedDeploymentLeavesItSuspended() {
        running();
        service.suspend(KEY, "alice");
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);

        assertThat(service.scale(KEY, 2, "bob").version()).isEqualTo(2);
        reconciler.pass();

        assertThat(row().desiredState).isEqualTo(DesiredState.SUSPENDED);
        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);
        assertThat(engine.submissions()).hasSize(1);
    }

    @Test
    void aParallelismChangeWithTheStatelessStrategyCancelsAndStartsEmpty() {
        String oldJob = running();
        retainCheckpoint("chk-2");
        reconciler.pass();
        assertThat(row().hasState).isTrue();

        service.apply(YAML + "  parallelism: 3\n  upgradeStrategy: stateless\n", "default", "alice");
        reconciler.pass(); // cancel and start version 2 empty

        assertThat(engine.cancelled()).containsExactly(oldJob);
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        JobSubmission v2 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(2);
        assertThat(v2.jobName()).isEqualTo("default/orders v2");
        assertThat(v2.restorePath()).isNull();
        assertThat(v2.parallelism()).isEqualTo(3);
        assertThat(engine.aliveWhenSubmitted(v2.jobId())).isEmpty();
        assertThat(row().runningVersion).isEqualTo(2);
        assertThat(row().phase).isEqualTo(Phase.STARTING);
        assertThat(row().restoreOverride).isNull();
    }

    @Test
    void aParallelismChangeWithUpgradeStrategyNoneLeavesTheOldVersionRunning() {
        String job = running();

        service.apply(YAML + "  parallelism: 3\n  upgradeStrategy: none\n", "default", "alice");
        reconciler.pass();
        reconciler.pass();

        DeploymentRow row = row();
        assertThat(row.specVersion).isEqualTo(2);
        assertThat(row.runningVersion).isEqualTo(1);
        assertThat(row.jobId).isEqualTo(job);
        assertThat(row.phase).isEqualTo(Phase.RUNNING);
        assertThat(engine.submissions()).hasSize(1);
        assertThat(engine.cancelled()).isEmpty();
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(reasons()).doesNotContain("VersionInPlace", "UpgradeSavepoint", "JobStopped");
    }

    // --- a job that cannot take a savepoint

    @Test
    void aRestartingJobUpgradesFromAYoungRetainedCheckpoint() {
        String oldJob = running();
        RetainedSnapshot checkpoint = retainCheckpoint("chk-5");
        clock.advance(Duration.ofMinutes(1));
        engine.restartJob(oldJob);

        service.apply(NEW_SQL, "default", "alice");
        reconciler.pass(); // cancel the restarting job and start version 2 from the checkpoint

        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(engine.cancelled()).containsExactly(oldJob);
        EventRow fallback = event("UpgradeFromCheckpoint");
        assertThat(fallback.type).isEqualTo("warning");
        assertThat(fallback.version).isEqualTo(2);
        assertThat(fallback.message).isEqualTo("upgrade from version 1 to 2: the job is restarting and cannot take a "
                + "savepoint; using retained checkpoint " + checkpoint.location() + " (60 s old)");
        JobSubmission v2 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(2);
        assertThat(v2.jobName()).isEqualTo("default/orders v2");
        assertThat(v2.restorePath()).isEqualTo(checkpoint.location());
        assertThat(engine.aliveWhenSubmitted(v2.jobId())).isEmpty();
        DeploymentRow started = row();
        assertThat(started.phase).isEqualTo(Phase.STARTING);
        assertThat(started.jobId).isEqualTo(v2.jobId()).isNotEqualTo(oldJob);
        assertThat(started.runningVersion).isEqualTo(2);
        assertThat(started.restoredFrom).isEqualTo(checkpoint.location());
        assertThat(started.restoreOverride).isNull(); // the pinned checkpoint was used up by this start
        assertThat(events()).filteredOn(e -> e.reason.equals("Phase")).extracting(e -> e.message)
                .startsWith("upgrading -> starting", "running -> upgrading");
        assertThat(reasons()).doesNotContain("JobLost", "UpgradeRefused");

        reconciler.pass();

        assertThat(engine.submissions()).hasSize(2);
        assertThat(engine.cancelled()).containsExactly(oldJob);
    }

    @Test
    void aRestartingJobWithOnlyAnOldCheckpointIsNotUpgraded() {
        String oldJob = running();
        retainCheckpoint("chk-5");
        clock.advance(Duration.ofMinutes(6));
        engine.restartJob(oldJob);

        service.apply(NEW_SQL, "default", "alice");
        reconciler.pass();
        reconciler.pass();
        reconciler.pass();

        String refusal = "upgrade from version 1 to 2 refused: the job is restarting and cannot take a savepoint, and "
                + "no retained checkpoint is younger than 5m; version 1 keeps running";
        DeploymentRow row = row();
        assertThat(row.error).isEqualTo(refusal);
        assertThat(row.runningVersion).isEqualTo(1);
        assertThat(row.specVersion).isEqualTo(2);
        assertThat(row.jobId).isEqualTo(oldJob);
        assertThat(row.restoreOverride).isNull();
        assertThat(engine.jobState(oldJob)).isEqualTo(JobState.RESTARTING);
        assertThat(engine.cancelled()).isEmpty();
        assertThat(engine.submissions()).hasSize(1);
        List<EventRow> refused = events().stream().filter(e -> e.reason.equals("UpgradeRefused")).toList();
        assertThat(refused).hasSize(1);
        assertThat(refused.get(0).type).isEqualTo("warning");
        assertThat(refused.get(0).message).isEqualTo(refusal);

        engine.runAll(); // the old job recovers: now it can take a savepoint
        reconciler.pass();
        reconciler.pass();

        assertThat(engine.stopWithSavepointCalls()).extracting(TestingEngine.SavepointCall::jobId)
                .containsExactly(oldJob);
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v2");
        assertThat(row().error).isNull();
    }

    @Test
    void theNewSpecsFallbackMaxAgeDecides() {
        String oldJob = running();
        RetainedSnapshot checkpoint = retainCheckpoint("chk-5");
        clock.advance(Duration.ofMinutes(6));
        engine.restartJob(oldJob);

        service.apply(NEW_SQL + "  checkpoints: {fallbackMaxAge: 10m}\n", "default", "alice");
        reconciler.pass();
        reconciler.pass();

        assertThat(engine.lastSubmission().restorePath()).isEqualTo(checkpoint.location());
        assertThat(reasons()).contains("UpgradeFromCheckpoint").doesNotContain("UpgradeRefused");
    }

    @Test
    void aFailedUpgradeSavepointFallsBackToAYoungRetainedCheckpoint() {
        String oldJob = running();
        RetainedSnapshot checkpoint = retainCheckpoint("chk-8");
        clock.advance(Duration.ofSeconds(30));
        engine.failNextSavepoint("savepoint timed out");

        service.apply(NEW_SQL, "default", "alice");
        reconciler.pass(); // the savepoint fails: cancel and start version 2 from the checkpoint

        SnapshotRow failed = onlySnapshot();
        assertThat(failed.origin).isEqualTo("upgrade");
        assertThat(failed.state).isEqualTo("failed");
        assertThat(failed.error).isEqualTo("savepoint timed out");
        assertThat(engine.cancelled()).containsExactly(oldJob);
        assertThat(event("UpgradeFromCheckpoint").message).isEqualTo("upgrade from version 1 to 2: the savepoint "
                + "failed; using retained checkpoint " + checkpoint.location() + " (30 s old)");
        JobSubmission v2 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(2);
        assertThat(v2.jobName()).isEqualTo("default/orders v2");
        assertThat(v2.restorePath()).isEqualTo(checkpoint.location());
        assertThat(engine.aliveWhenSubmitted(v2.jobId())).isEmpty();
        DeploymentRow started = row();
        assertThat(started.phase).isEqualTo(Phase.STARTING);
        assertThat(started.jobId).isEqualTo(v2.jobId());
        assertThat(started.runningVersion).isEqualTo(2);
        assertThat(started.restoredFrom).isEqualTo(checkpoint.location());
        assertThat(started.restoreOverride).isNull();
    }

    @Test
    void anUpgradeWhoseSavepointKeepsFailingTriesOncePerPassAndTheOldVersionRunsMeanwhile() {
        String oldJob = running();
        service.apply(NEW_SQL, "default", "alice");
        for (int pass = 1; pass <= 3; pass++) {
            engine.failNextSavepoint("savepoint timed out");
            reconciler.pass();
            assertThat(engine.stopWithSavepointCalls()).as("savepoints after pass " + pass).hasSize(pass);
            DeploymentRow row = row();
            assertThat(row.phase).isEqualTo(Phase.RUNNING);
            assertThat(row.runningVersion).isEqualTo(1);
            assertThat(row.jobId).isEqualTo(oldJob);
            assertThat(row.error).startsWith("upgrade from version 1 to 2 refused: the savepoint failed");
        }
        assertThat(events().stream().filter(e -> e.reason.equals("UpgradeRefused")).count()).isEqualTo(1);

        reconciler.pass(); // the savepoint succeeds now
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v2");
        assertThat(row().error).isNull();
    }

    // --- readiness and automatic rollback

    @Test
    void aNewVersionThatDoesNotBecomeReadyRollsBackToTheStableOne() {
        stableVersion1();
        SnapshotRow upgradeSavepoint = upgradeToVersion2(NEW_SQL);
        String v2Job = row().jobId;

        clock.advance(Duration.ofSeconds(30));
        reconciler.pass(); // still inside the window

        assertThat(row().specVersion).isEqualTo(2);
        assertThat(reasons()).doesNotContain("AutoRollback");

        clock.advance(Duration.ofSeconds(31));
        reconciler.pass();

        DeploymentRow decided = row();
        assertThat(decided.specVersion).isEqualTo(1);
        assertThat(decided.rollingBack).isTrue();
        assertThat(decided.lastStableVersion).isEqualTo(1);
        EventRow autoRollback = event("AutoRollback");
        assertThat(autoRollback.type).isEqualTo("warning");
        assertThat(autoRollback.version).isEqualTo(1);
        assertThat(autoRollback.actor).isEqualTo("reconciler");
        assertThat(autoRollback.message).isEqualTo("version 2 did not reach running within 60s; rolling back to "
                + "version 1 from " + upgradeSavepoint.location);

        reconciler.pass(); // stop the version-2 job and start version 1 from the savepoint it took itself

        assertThat(engine.cancelled()).containsExactly(v2Job);
        assertThat(event("JobStopped").message).isEqualTo("rollback from version 2 to 1: cancelled the old job");
        JobSubmission v1 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(3);
        assertThat(v1.jobName()).isEqualTo("default/orders v1");
        assertThat(v1.pipeline()).isEqualTo(TestingEngine.planOf(spec(1)));
        assertThat(v1.restorePath()).isEqualTo(upgradeSavepoint.location);
        assertThat(engine.aliveWhenSubmitted(v1.jobId())).isEmpty();
        DeploymentRow rollingBack = row();
        assertThat(rollingBack.phase).isEqualTo(Phase.ROLLING_BACK);
        assertThat(rollingBack.runningVersion).isEqualTo(1);
        assertThat(rollingBack.jobId).isEqualTo(v1.jobId());
        assertThat(rollingBack.restoredFrom).isEqualTo(upgradeSavepoint.location);
        assertThat(rollingBack.restoreOverride).isNull();
        assertThat(reasons()).doesNotContain("JobLost");

        reconciler.pass(); // version 1 is still starting: nothing more to do

        assertThat(engine.submissions()).hasSize(3);
        assertThat(engine.cancelled()).containsExactly(v2Job);
        assertThat(row().phase).isEqualTo(Phase.ROLLING_BACK);

        engine.runAll();
        reconciler.pass();

        DeploymentRow back = row();
        assertThat(back.phase).isEqualTo(Phase.RUNNING);
        assertThat(back.rollingBack).isFalse();
        assertThat(engine.aliveJobs()).containsExactly(v1.jobId());

        clock.advance(Duration.ofMinutes(5)); // the stable version is not watched again
        reconciler.pass();

        assertThat(reasons()).filteredOn(r -> r.equals("AutoRollback") || r.equals("NotReady")).hasSize(1);
        assertThat(row().lastStableVersion).isEqualTo(1);
    }

    @Test
    void aNewVersionThatRestartsTooOftenRollsBack() {
        stableVersion1();
        SnapshotRow upgradeSavepoint = upgradeToVersion2(YAML + "  parallelism: 2\n  rollback: {maxRestarts: 1}\n");
        String v2Job = row().jobId;
        engine.runAll();
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);

        clock.advance(Duration.ofSeconds(5));
        engine.restartJob(v2Job);
        reconciler.pass();
        reconciler.pass(); // the same restart, seen again, is not counted twice

        assertThat(row().restarts).isEqualTo(1);
        assertThat(row().specVersion).isEqualTo(2);
        assertThat(event("JobRestarted").message).isEqualTo("the engine restarted job " + v2Job
                + " (1 restarts of version 2)");

        engine.runAll();
        reconciler.pass();
        clock.advance(Duration.ofSeconds(5));
        engine.restartJob(v2Job);
        reconciler.pass();

        assertThat(reasons()).filteredOn("JobRestarted"::equals).hasSize(2);
        assertThat(row().specVersion).isEqualTo(1);
        assertThat(row().rollingBack).isTrue();
        assertThat(event("AutoRollback").message).isEqualTo("version 2 restarted 2 times (at most 1 allowed); "
                + "rolling back to version 1 from " + upgradeSavepoint.location);

        reconciler.pass();
        reconciler.pass();

        assertThat(engine.cancelled()).containsExactly(v2Job);
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v1");
        assertThat(engine.lastSubmission().parallelism()).isEqualTo(1);
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(upgradeSavepoint.location);
        assertThat(row().restarts).isZero();
    }

    @Test
    void withRollbackDisabledANewVersionThatIsNotReadyOnlyWarns() {
        stableVersion1();
        upgradeToVersion2(NEW_SQL + "  rollback: {enabled: false}\n");
        String v2Job = row().jobId;

        clock.advance(Duration.ofSeconds(61));
        reconciler.pass();
        reconciler.pass();

        DeploymentRow row = row();
        assertThat(row.specVersion).isEqualTo(2);
        assertThat(row.runningVersion).isEqualTo(2);
        assertThat(row.rollingBack).isFalse();
        assertThat(row.jobId).isEqualTo(v2Job);
        assertThat(engine.cancelled()).isEmpty();
        List<EventRow> notReady = events().stream().filter(e -> e.reason.equals("NotReady")).toList();
        assertThat(notReady).hasSize(1);
        assertThat(notReady.get(0).type).isEqualTo("warning");
        assertThat(notReady.get(0).message).isEqualTo("version 2 did not reach running within 60s; no automatic "
                + "rollback (disabled)");
        assertThat(reasons()).doesNotContain("AutoRollback");
    }

    @Test
    void aFirstVersionThatIsNotReadyHasNothingToRollBackTo() {
        service.apply(YAML, "default", "alice");
        reconciler.pass();

        clock.advance(Duration.ofSeconds(60));
        reconciler.pass();

        assertThat(event("NotReady").message).isEqualTo("version 1 did not reach running within 60s; no automatic "
                + "rollback (no earlier stable version)");
        assertThat(row().lastStableVersion).isNull();
        assertThat(row().rollingBack).isFalse();
        assertThat(engine.cancelled()).isEmpty();
    }

    @Test
    void aVersionResumedInsideItsReadinessWindowGetsAFreshWindow() {
        stableVersion1();
        upgradeToVersion2(NEW_SQL);
        String v2Job = row().jobId;
        engine.runAll();
        reconciler.pass();
        clock.advance(Duration.ofSeconds(5));
        engine.restartJob(v2Job);
        reconciler.pass();
        engine.runAll();
        reconciler.pass();
        assertThat(row().restarts).isEqualTo(1);
        clock.advance(Duration.ofSeconds(5));
        service.suspend(KEY, "alice");
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);
        assertThat(row().versionStartedAt).isNotNull(); // still on watch
        clock.advance(Duration.ofMinutes(10));

        service.resume(KEY, "alice");
        reconciler.pass(); // submits version 2 again

        DeploymentRow resumed = row();
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v2");
        assertThat(resumed.versionStartedAt).isEqualTo(clock.millis());
        assertThat(resumed.restarts).isZero();

        reconciler.pass(); // the job is still starting

        assertThat(row().specVersion).isEqualTo(2);
        assertThat(row().rollingBack).isFalse();
        assertThat(reasons()).doesNotContain("AutoRollback", "NotReady");

        engine.runAll();
        clock.advance(Duration.ofSeconds(61));
        reconciler.pass();

        assertThat(row().lastStableVersion).isEqualTo(2);
        assertThat(row().versionStartedAt).isNull();
        assertThat(event("VersionStable").version).isEqualTo(2);
        assertThat(reasons()).doesNotContain("AutoRollback", "NotReady");
    }

    @Test
    void anAutomaticRollbackWithoutAPinnedSnapshotCancelsTheStuckJobAndStartsFromTheNewestState() {
        String v1Job = stableVersion1();
        RetainedSnapshot checkpoint = retainCheckpoint("chk-3");
        reconciler.pass();
        assertThat(row().hasState).isTrue();
        service.apply(NEW_SQL + "  upgradeStrategy: stateless\n", "default", "alice");
        reconciler.pass(); // cancel version 1 and start version 2 empty
        String v2Job = row().jobId;
        assertThat(row().phase).isEqualTo(Phase.STARTING);
        assertThat(row().runningVersion).isEqualTo(2);
        assertThat(engine.submissions()).hasSize(2);
        assertThat(v2Job).isNotEqualTo(v1Job);
        assertThat(engine.cancelled()).containsExactly(v1Job);
        assertThat(engine.lastSubmission().restorePath()).isNull();

        clock.advance(Duration.ofSeconds(61));
        reconciler.pass(); // version 2 never ran

        DeploymentRow decided = row();
        assertThat(decided.specVersion).isEqualTo(1);
        assertThat(decided.rollingBack).isTrue();
        assertThat(decided.restoreOverride).isNull(); // version 1 took no snapshot of its own
        assertThat(decided.phase).isEqualTo(Phase.ROLLING_BACK);
        assertThat(event("AutoRollback").message).isEqualTo("version 2 did not reach running within 60s; rolling "
                + "back to version 1");

        reconciler.pass(); // no savepoint from a job that does not run: cancel it, start version 1 from the newest state

        assertThat(engine.cancelled()).containsExactly(v1Job, v2Job);
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(event("JobStopped").message).isEqualTo("rollback from version 2 to 1: cancelled the old job, "
                + "which was starting; starting from the newest state");
        JobSubmission v1 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(3);
        assertThat(v1.jobName()).isEqualTo("default/orders v1");
        assertThat(v1.restorePath()).isEqualTo(checkpoint.location());
        assertThat(engine.aliveWhenSubmitted(v1.jobId())).isEmpty();
        DeploymentRow rollingBack = row();
        assertThat(rollingBack.jobId).isEqualTo(v1.jobId()).isNotEqualTo(v2Job);
        assertThat(rollingBack.runningVersion).isEqualTo(1);
        assertThat(rollingBack.phase).isEqualTo(Phase.ROLLING_BACK);
        assertThat(rollingBack.restoredFrom).isEqualTo(checkpoint.location());
        assertThat(rollingBack.restoreOverride).isNull();
        assertThat(reasons()).doesNotContain("JobLost", "UpgradeRefused");

        reconciler.pass(); // version 1 is still starting: nothing more to do

        assertThat(engine.submissions()).hasSize(3);
        assertThat(row().phase).isEqualTo(Phase.ROLLING_BACK);

        engine.runAll();
        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(row().rollingBack).isFalse();
        assertThat(engine.aliveJobs()).containsExactly(v1.jobId());
    }

    @Test
    void aNewVersionWhoseJobFailsRollsBackAtOnce() {
        stableVersion1();
        SnapshotRow upgradeSavepoint = upgradeToVersion2(NEW_SQL);
        String v2Job = row().jobId;
        engine.failJob(v2Job, "ClassCastException");

        reconciler.pass();

        DeploymentRow decided = row();
        assertThat(decided.specVersion).isEqualTo(1);
        assertThat(decided.rollingBack).isTrue();
        assertThat(decided.phase).isEqualTo(Phase.ROLLING_BACK);
        assertThat(decided.restoreOverride).isEqualTo("pin:" + upgradeSavepoint.location);
        EventRow autoRollback = event("AutoRollback");
        assertThat(autoRollback.version).isEqualTo(1);
        assertThat(autoRollback.message).isEqualTo("version 2 failed: ClassCastException; rolling back to version 1 "
                + "from " + upgradeSavepoint.location);
        assertThat(reasons()).doesNotContain("Failed");

        reconciler.pass(); // the failed job needs no stopping: start version 1

        JobSubmission v1 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(3);
        assertThat(v1.jobName()).isEqualTo("default/orders v1");
        assertThat(v1.restorePath()).isEqualTo(upgradeSavepoint.location);
        assertThat(engine.cancelled()).isEmpty();
        assertThat(row().runningVersion).isEqualTo(1);
        assertThat(row().restoreOverride).isNull();

        engine.runAll();
        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(row().rollingBack).isFalse();
        assertThat(row().error).isNull();
        assertThat(reasons()).filteredOn("AutoRollback"::equals).hasSize(1);
    }

    // --- rollback on request

    @Test
    void aRollbackWhoseTargetJobFailsFailsInsteadOfResubmittingForever() {
        stableVersion1();
        upgradeToVersion2(NEW_SQL);
        engine.runAll();
        reconciler.pass();
        service.rollback(KEY, null, "alice");
        reconciler.pass();
        int submissions = engine.submissions().size();
        String target = row().jobId;

        engine.failJob(target, "ClassCastException");
        reconciler.pass();
        reconciler.pass();

        assertThat(engine.submissions()).hasSize(submissions);
        assertThat(row().phase).isEqualTo(Phase.FAILED);
        assertThat(row().error).contains("ClassCastException");
    }

    @Test
    void aRequestedRollbackReturnsToTheLastStableVersion() {
        stableVersion1();
        SnapshotRow upgradeSavepoint = upgradeToVersion2(NEW_SQL);
        engine.runAll();
        reconciler.pass();
        String v2Job = row().jobId;

        DeploymentRow returned = service.rollback(KEY, null, "alice");

        assertThat(returned.specVersion).isEqualTo(1);
        assertThat(returned.rollingBack).isTrue();
        assertThat(row().specVersion).isEqualTo(1);
        EventRow requested = events().get(0);
        assertThat(requested.reason).isEqualTo("RollbackRequested");
        assertThat(requested.type).isEqualTo("normal");
        assertThat(requested.actor).isEqualTo("alice");
        assertThat(requested.version).isEqualTo(1);
        assertThat(requested.message).isEqualTo("rollback from version 2 to version 1 from "
                + upgradeSavepoint.location);

        reconciler.pass();
        reconciler.pass();

        assertThat(engine.cancelled()).containsExactly(v2Job);
        assertThat(engine.stopWithSavepointCalls()).hasSize(1); // only the upgrade's: the pinned state is restored
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v1");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(upgradeSavepoint.location);
        assertThat(row().phase).isEqualTo(Phase.ROLLING_BACK);
        assertThat(reasons()).doesNotContain("AutoRollback");

        engine.runAll();
        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(row().rollingBack).isFalse();
        assertThat(row().runningVersion).isEqualTo(1);
    }

    @Test
    void aRollbackToAVersionThatDoesNotExistIsASpecError() {
        stableVersion1();
        upgradeToVersion2(NEW_SQL);
        DeploymentRow before = row();
        int events = events().size();

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> service.rollback(KEY, 7, "alice"));

        assertThat(e.errors()).containsExactly(new SpecError("toVersion", 0, 0,
                "deployment default/orders has no version 7"));
        assertThat(row()).usingRecursiveComparison().isEqualTo(before);
        assertThat(events()).hasSize(events);
    }

    @Test
    void aRollbackWithoutAStableVersionOrATargetIsAConflict() {
        running();
        service.apply(NEW_SQL, "default", "alice");
        int events = events().size();

        assertThatThrownBy(() -> service.rollback(KEY, null, "alice")).isInstanceOf(ConflictException.class)
                .hasMessage("deployment default/orders has no earlier stable version; name one with --to-version");
        assertThat(row().specVersion).isEqualTo(2);
        assertThat(row().rollingBack).isFalse();
        assertThat(events()).hasSize(events);
    }

    @Test
    void aRollbackToTheCurrentVersionIsAConflict() {
        stableVersion1();

        assertThatThrownBy(() -> service.rollback(KEY, 1, "alice")).isInstanceOf(ConflictException.class)
                .hasMessage("deployment default/orders is at version 1 already");
        assertThatThrownBy(() -> service.rollback(KEY, null, "alice")).isInstanceOf(ConflictException.class)
                .hasMessage("deployment default/orders has no earlier stable version; name one with --to-version");
        assertThat(row().rollingBack).isFalse();
        assertThatThrownBy(() -> service.rollback(new DeploymentKey("default", "ghost"), 1, "alice"))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void aNamedVersionNeedNotBeStable() {
        running(); // version 1 never went through its readiness window
        upgradeToVersion2(NEW_SQL);

        service.rollback(KEY, 1, "alice");
        reconciler.pass();
        reconciler.pass();

        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v1");
        assertThat(row().runningVersion).isEqualTo(1);
    }

    @Test
    void afterARollbackANewSpecTakesTheNextFreeVersion() {
        stableVersion1();
        upgradeToVersion2(NEW_SQL);
        service.rollback(KEY, null, "alice");

        ApplyResult again = service.apply(YAML, "default", "bob");

        assertThat(again).isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.UNCHANGED, 1));
        assertThat(row().rollingBack).isTrue();

        ApplyResult next = service.apply(YAML + "  parallelism: 3\n", "default", "bob");

        assertThat(next).isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.UPDATED, 3));
        assertThat(store.versions().list(KEY)).extracting(v -> v.version).containsExactly(3, 2, 1);
        assertThat(spec(3).parallelism()).isEqualTo(3);
        assertThat(spec(2).sql()).contains("SELECT id, amount");
        DeploymentRow row = row();
        assertThat(row.specVersion).isEqualTo(3);
        assertThat(row.rollingBack).isFalse();
        assertThat(row.restoreOverride).isNull(); // the rollback's pin belonged to version 1
        assertThat(event("VersionCreated").message).isEqualTo("version 3 accepted, desired state running");
        assertThat(event("VersionCreated").version).isEqualTo(3);
    }

    @Test
    void aRequestedRollbackOfAFailedDeploymentStartsTheTargetVersion() {
        stableVersion1();
        SnapshotRow upgradeSavepoint = upgradeToVersion2(NEW_SQL + "  rollback: {enabled: false}\n");
        String v2Job = row().jobId;
        engine.failJob(v2Job, "ClassCastException");
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.FAILED);
        assertThat(event("NotReady").message).isEqualTo("version 2 failed: ClassCastException; no automatic "
                + "rollback (disabled)");
        reconciler.pass(); // failed stays failed until the user acts
        assertThat(engine.submissions()).hasSize(2);

        DeploymentRow returned = service.rollback(KEY, null, "alice");

        assertThat(returned.phase).isEqualTo(Phase.ROLLING_BACK);
        assertThat(returned.error).isNull();
        assertThat(returned.restoreOverride).isEqualTo("pin:" + upgradeSavepoint.location);

        reconciler.pass();

        JobSubmission v1 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(3);
        assertThat(v1.jobName()).isEqualTo("default/orders v1");
        assertThat(v1.restorePath()).isEqualTo(upgradeSavepoint.location);
        assertThat(row().runningVersion).isEqualTo(1);
        assertThat(row().phase).isEqualTo(Phase.ROLLING_BACK);

        engine.runAll();
        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(row().rollingBack).isFalse();
        assertThat(engine.aliveJobs()).containsExactly(v1.jobId());
    }

    // --- diff

    @Test
    void diffComparesWithTheRunningVersionAndStoresNothing() {
        running();
        service.apply(YAML + "  parallelism: 2\n  upgradeStrategy: none\n", "default", "alice");
        reconciler.pass(); // version 2 is wanted, version 1 keeps running
        assertThat(row().runningVersion).isEqualTo(1);
        DeploymentRow before = row();
        int events = events().size();
        int compiled = engine.compiled().size();

        DeploymentService.DiffResult result = service.diff(NEW_SQL, "default");

        assertThat(result.key()).isEqualTo(KEY);
        assertThat(result.againstVersion()).isEqualTo(1);
        SpecDiff diff = result.diff();
        assertThat(diff.changes()).extracting(SpecDiff.Change::field).containsExactly("spec.sql");
        assertThat(diff.type()).isEqualTo(DiffType.UPGRADE);
        assertThat(diff.action()).isEqualTo(UpgradeAction.STATEFUL_UPGRADE);
        assertThat(engine.compiled()).hasSize(compiled + 1); // a job-changing diff is compiled
        assertThat(store.versions().list(KEY)).hasSize(2);
        assertThat(events()).hasSize(events);
        assertThat(row()).usingRecursiveComparison().isEqualTo(before);

        SpecDiff rescale = service.diff(YAML + "  parallelism: 4\n", "default").diff();

        assertThat(rescale.changes()).containsExactly(new SpecDiff.Change("spec.parallelism", 1, 4, DiffType.SCALE));
        assertThat(rescale.action()).isEqualTo(UpgradeAction.RESCALE);
        assertThat(service.diff(YAML, "default").diff().changes()).isEmpty();
    }

    @Test
    void aDiffWithSqlTheEngineRejectsIsRefused() {
        running();
        int events = events().size();
        engine.rejectNextCompile(new PipelineRejectedException(
                List.of(new SpecError("spec.sql", 1, 27, "Object 'orders' not found"))));

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> service.diff(NEW_SQL, "default"));

        assertThat(e).isNotNull();
        assertThat(e.errors()).extracting(SpecError::message).containsExactly("Object 'orders' not found");
        assertThat(store.versions().list(KEY)).hasSize(1);
        assertThat(events()).hasSize(events);
        assertThatThrownBy(() -> service.diff(YAML.replace("name: orders", "name: ghost"), "default"))
                .isInstanceOf(NotFoundException.class);
    }

    // --- crashes

    @ParameterizedTest(name = "engine restarted too: {0}")
    @ValueSource(booleans = {false, true})
    void aCrashMidRollbackStartsTheTargetVersionFromThePinnedSnapshot(boolean engineRestarted) {
        stableVersion1();
        SnapshotRow upgradeSavepoint = upgradeToVersion2(NEW_SQL);
        String v2Job = row().jobId;
        service.rollback(KEY, null, "alice");
        // The reconciler stored phase rolling-back, then cancelled the old job, then the process died.
        DeploymentRow row = row();
        row.phase = Phase.ROLLING_BACK;
        store.deployments().update(row);
        engine.cancel(v2Job);
        if (engineRestarted) {
            engine.restart();
        }
        int submissions = engine.submissions().size();

        Store reopened = restartControlPlane();
        DeploymentRow afterCrash = reopened.deployments().find(KEY).orElseThrow();
        assertThat(afterCrash.restoreOverride).isEqualTo("pin:" + upgradeSavepoint.location);
        assertThat(afterCrash.rollingBack).isTrue();
        Reconciler after = new Reconciler(reopened, targets, snapshots, new Events(reopened, clock),
                new DeploymentLocks(), clock);
        after.pass();

        assertThat(engine.submissions()).hasSize(submissions + 1);
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v1");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(upgradeSavepoint.location);
        DeploymentRow started = reopened.deployments().find(KEY).orElseThrow();
        assertThat(started.runningVersion).isEqualTo(1);
        assertThat(started.phase).isEqualTo(Phase.ROLLING_BACK);
        assertThat(started.restoreOverride).isNull();

        engine.runAll();
        after.pass();

        assertThat(reopened.deployments().find(KEY).orElseThrow().phase).isEqualTo(Phase.RUNNING);
        assertThat(engine.aliveJobs()).containsExactly(engine.lastSubmission().jobId());
    }

    // --- versions stored by an earlier release

    @Test
    void aVersionStoredBeforeTheRollbackFieldExistedRunsAndIsWatched() {
        service.apply(YAML, "default", "alice");
        // What the release before rollback and savepoints stored for version 1.
        H2Databases.update(dir, "UPDATE versions SET spec = ? WHERE namespace = 'default' AND name = "
                + "'orders'", "{\"sql\":\"INSERT INTO totals SELECT * FROM orders;\\n\",\"parallelism\":1,"
                + "\"state\":\"running\",\"upgradeStrategy\":\"stateful\",\"restoreStrategy\":\"latest-state\","
                + "\"checkpoints\":{\"interval\":\"10s\"},\"target\":\"embedded\",\"allowNonRestoredState\":false,"
                + "\"flinkConfiguration\":{}}");
        assertThat(spec(1).rollback()).isNull();

        reconciler.pass();
        engine.runAll();
        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.RUNNING);

        clock.advance(Duration.ofSeconds(61));
        reconciler.pass();

        assertThat(row().lastStableVersion).isEqualTo(1);
        assertThat(event("VersionStable").message).isEqualTo("version 1 ran through its readiness window of 60s");
        assertThat(service.apply(YAML, "default", "alice"))
                .isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.UNCHANGED, 1));

        service.apply(YAML + "  parallelism: 2\n", "default", "alice");
        reconciler.pass();
        reconciler.pass();

        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v2");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(onlySnapshot().location);
    }

    // --- helpers

    /**
     * Applies {@link #YAML} and runs it through its 60 s readiness window, so version 1 is the last stable version;
     * returns its job id.
     */
    private String stableVersion1() {
        String job = running();
        clock.advance(Duration.ofSeconds(61));
        reconciler.pass();
        DeploymentRow row = row();
        assertThat(row.lastStableVersion).isEqualTo(1);
        assertThat(row.versionStartedAt).isNull();
        EventRow stable = event("VersionStable");
        assertThat(stable.version).isEqualTo(1);
        assertThat(stable.message).isEqualTo("version 1 ran through its readiness window of 60s");
        return job;
    }

    /**
     * Applies a changed spec (version 2) and lets one reconciler pass stop version 1 with a savepoint and submit
     * version 2, which is left STARTING; returns the upgrade savepoint version 1 took.
     */
    private SnapshotRow upgradeToVersion2(String yaml) {
        assertThat(service.apply(yaml, "default", "alice").version()).isEqualTo(2);
        reconciler.pass();
        SnapshotRow savepoint = onlySnapshot();
        assertThat(savepoint.origin).isEqualTo("upgrade");
        assertThat(savepoint.version).isEqualTo(1);
        assertThat(engine.submissions()).hasSize(2);
        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v2");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(savepoint.location);
        assertThat(row().runningVersion).isEqualTo(2);
        assertThat(row().jobId).isEqualTo(engine.lastSubmission().jobId());
        assertThat(row().phase).isEqualTo(Phase.STARTING);
        return savepoint;
    }
}
