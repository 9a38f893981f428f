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
import dev.sluice.control.engine.TestingEngine.SavepointCall;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.EventRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SpecError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reconciler against a real H2 store and a {@link TestingEngine}, one {@link Reconciler#pass()} at a time (see
 * {@link LifecycleFixture}). Upgrades by spec diff and rollbacks are in {@link UpgradeAndRollbackTest}.
 */
class ReconcilerTest extends LifecycleFixture {

    // --- start

    @Test
    void applySubmitsAJobThatThenRuns() {
        ApplyResult result = service.apply(YAML, "default", "alice");

        assertThat(result).isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.CREATED, 1));
        DeploymentRow created = row();
        assertThat(created.phase).isEqualTo(Phase.PENDING);
        assertThat(created.desiredState).isEqualTo(DesiredState.RUNNING);
        assertThat(created.specVersion).isEqualTo(1);
        assertThat(created.runningVersion).isNull();
        assertThat(created.jobId).isNull();
        assertThat(created.hasState).isFalse();
        assertThat(engine.submissions()).isEmpty();

        reconciler.pass();

        DeploymentRow starting = row();
        assertThat(starting.phase).isEqualTo(Phase.STARTING);
        assertThat(starting.jobId).isEqualTo(JobIds.of(created.uid, 1));
        assertThat(starting.jobAttempt).isEqualTo(1);
        assertThat(starting.runningVersion).isEqualTo(1);
        assertThat(starting.restoredFrom).isNull();
        JobSubmission submitted = engine.lastSubmission();
        assertThat(submitted.jobId()).isEqualTo(starting.jobId);
        assertThat(submitted.jobName()).isEqualTo("default/orders v1");
        assertThat(submitted.pipeline()).isEqualTo(TestingEngine.planOf(spec(1)));
        assertThat(submitted.parallelism()).isEqualTo(1);
        assertThat(submitted.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(submitted.checkpointDirectory()).isEqualTo(LAYOUT.checkpointDirectory(KEY, created.uid));
        assertThat(submitted.restorePath()).isNull();
        assertThat(submitted.allowNonRestoredState()).isFalse();
        assertThat(submitted.flinkConfiguration()).isEmpty();
        assertThat(reasons()).containsExactly("Submitted", "Phase", "Created");
        assertThat(events().get(1).message).isEqualTo("pending -> starting");

        reconciler.pass(); // still starting: nothing new

        assertThat(engine.submissions()).hasSize(1);
        assertThat(row().phase).isEqualTo(Phase.STARTING);

        engine.setJobState(starting.jobId, JobState.RUNNING);
        reconciler.pass();

        DeploymentRow running = row();
        assertThat(running.phase).isEqualTo(Phase.RUNNING);
        assertThat(running.jobId).isEqualTo(starting.jobId);
        assertThat(engine.submissions()).hasSize(1);
        EventRow last = events().get(0);
        assertThat(last.reason).isEqualTo("Phase");
        assertThat(last.message).isEqualTo("starting -> running");
        assertThat(last.type).isEqualTo("normal");
        assertThat(last.actor).isEqualTo("reconciler");
        assertThat(last.version).isEqualTo(1);
    }

    @Test
    void aDeploymentCreatedSuspendedNeverSubmits() {
        service.apply(YAML.replace("  sql: |", "  state: suspended\n  sql: |"), "default", "alice");

        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);
        assertThat(engine.submissions()).isEmpty();
    }

    @Test
    void recordCountsAreStored() {
        String jobId = running();
        engine.setRecords(jobId, 120, 80);

        reconciler.pass();

        assertThat(row().recordsIn).isEqualTo(120L);
        assertThat(row().recordsOut).isEqualTo(80L);
    }

    @Test
    void anUnreachableEngineStartsAndStopsNothingAndSaysSoOnce() {
        service.apply(YAML, "default", "alice");
        reconciler.pass();
        DeploymentRow before = row();
        engine.setUnreachable(true);

        reconciler.pass();
        reconciler.pass();

        assertThat(row()).usingRecursiveComparison().ignoringFields("error", "updatedAt").isEqualTo(before);
        assertThat(row().error).startsWith("target unreachable: embedded");
        assertThat(reasons()).containsOnlyOnce("TargetUnreachable");
        assertThat(engine.submissions()).hasSize(1);

        engine.setUnreachable(false);
        reconciler.pass();

        assertThat(row().error).isNull();
        assertThat(row().phase).isEqualTo(Phase.STARTING);
        assertThat(reasons()).contains("TargetReachable");
        assertThat(engine.submissions()).hasSize(1);
    }

    @Test
    void aSubmissionThatCannotReachTheTargetIsTriedAgainNotFailed() {
        service.apply(YAML, "default", "alice");
        engine.unreachableOnNextSubmit();

        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.STARTING);
        assertThat(row().error).startsWith("target unreachable: embedded");
        assertThat(engine.submissions()).isEmpty();
        String firstJobId = row().jobId;

        reconciler.pass(); // the target answers: the job is unknown, so it is submitted again, under the same id

        assertThat(engine.submissions()).hasSize(1);
        assertThat(engine.lastSubmission().jobId()).isEqualTo(firstJobId);
        assertThat(row().jobAttempt).isEqualTo(1);
        assertThat(row().error).isNull();
        assertThat(reasons()).contains("TargetUnreachable", "TargetReachable", "Submitted").doesNotContain("Failed");
    }

    @Test
    void aJobOnATargetRemovedFromTheConfigurationIsNeitherSoughtElsewhereNorStartedAgain() {
        String jobId = running();
        Reconciler withoutEmbedded = new Reconciler(store, new Targets(List.of(remote)), snapshots, new Events(store, clock),
                locks, clock);

        withoutEmbedded.pass();
        withoutEmbedded.pass();

        assertThat(row().jobId).isEqualTo(jobId);
        assertThat(row().error).startsWith("target not configured: embedded");
        assertThat(reasons()).containsOnlyOnce("TargetMissing");
        assertThat(engine.submissions()).hasSize(1);
        assertThat(remote.submissions()).isEmpty();

        reconciler.pass(); // the target is back

        assertThat(row().error).isNull();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(engine.submissions()).hasSize(1);
    }

    @Test
    void aFailedSubmissionFailsTheDeployment() {
        service.apply(YAML, "default", "alice");
        engine.failNextSubmit("cluster refused the job");

        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.FAILED);
        assertThat(row().error).isEqualTo("submitting the job failed: cluster refused the job");
        assertThat(events().get(0).type).isEqualTo("warning");
        assertThat(events().get(0).reason).isEqualTo("Failed");
    }

    @Test
    void aFailedJobFailsTheDeploymentUntilResumed() {
        String jobId = running();
        engine.failJob(jobId, "NullPointerException in map()");

        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.FAILED);
        assertThat(row().error).isEqualTo("the job failed: NullPointerException in map()");
        reconciler.pass();
        assertThat(engine.submissions()).hasSize(1);

        service.resume(KEY, "alice");
        assertThat(row().phase).isEqualTo(Phase.PENDING);
        reconciler.pass();

        assertThat(engine.submissions()).hasSize(2);
        assertThat(row().phase).isEqualTo(Phase.STARTING);
        assertThat(row().jobId).isEqualTo(JobIds.of(row().uid, 2));
        assertThat(row().error).isNull();
    }

    // --- suspend and resume

    @Test
    void suspendStopsTheJobWithASavepoint() {
        String jobId = running();

        service.suspend(KEY, "alice");
        assertThat(row().desiredState).isEqualTo(DesiredState.SUSPENDED);
        reconciler.pass();

        SnapshotRow snapshot = onlySnapshot();
        assertThat(engine.stopWithSavepointCalls()).containsExactly(
                new SavepointCall(jobId, LAYOUT.savepointDirectory(KEY, snapshot.id), snapshot.location));
        assertThat(snapshot.origin).isEqualTo("suspend");
        assertThat(snapshot.state).isEqualTo("completed");
        assertThat(snapshot.version).isEqualTo(1);
        assertThat(snapshot.jobId).isEqualTo(jobId);
        assertThat(snapshot.location).startsWith(LAYOUT.savepointDirectory(KEY, snapshot.id));
        assertThat(snapshot.sizeBytes).isEqualTo(1000L);
        assertThat(snapshot.completedAt).isEqualTo(clock.millis());
        DeploymentRow suspended = row();
        assertThat(suspended.phase).isEqualTo(Phase.SUSPENDED);
        assertThat(suspended.jobId).isNull();
        assertThat(suspended.pendingSnapshot).isNull();
        assertThat(suspended.hasState).isTrue();
        assertThat(suspended.runningVersion).isEqualTo(1);
        assertThat(engine.jobState(jobId)).isEqualTo(JobState.FINISHED);
        assertThat(reasons()).startsWith("Phase", "SnapshotCompleted", "Phase", "DesiredStateChanged");
        assertThat(events().get(0).message).isEqualTo("suspending -> suspended");
        assertThat(events().get(2).message).isEqualTo("running -> suspending");

        reconciler.pass(); // nothing left to do

        assertThat(engine.stopWithSavepointCalls()).hasSize(1);
        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);
    }

    @Test
    void resumeRestoresTheSuspendSavepoint() {
        running();
        service.suspend(KEY, "alice");
        reconciler.pass();
        SnapshotRow savepoint = onlySnapshot();
        clock.advance(Duration.ofMinutes(5));

        service.resume(KEY, "alice");
        assertThat(row().phase).isEqualTo(Phase.PENDING);
        reconciler.pass();

        JobSubmission resumed = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(2);
        assertThat(resumed.restorePath()).isEqualTo(savepoint.location);
        DeploymentRow row = row();
        assertThat(row.phase).isEqualTo(Phase.STARTING);
        assertThat(row.jobId).isEqualTo(JobIds.of(row.uid, 2)).isEqualTo(resumed.jobId());
        assertThat(row.restoredFrom).isEqualTo(savepoint.location);
        assertThat(reasons()).doesNotContain("JobLost");
        assertThat(events().get(0).message)
                .isEqualTo("job " + row.jobId + " of version 1 to embedded restoring snapshot " + savepoint.id + " at "
                        + savepoint.location);
    }

    @Test
    void aFailedSuspendSavepointLeavesTheJobRunningAndIsRetried() {
        String jobId = running();
        service.suspend(KEY, "alice");
        engine.failNextSavepoint("savepoint timed out");

        reconciler.pass();

        SnapshotRow failed = onlySnapshot();
        assertThat(failed.state).isEqualTo("failed");
        assertThat(failed.error).isEqualTo("savepoint timed out");
        assertThat(failed.origin).isEqualTo("suspend");
        assertThat(engine.jobState(jobId)).isEqualTo(JobState.RUNNING);
        DeploymentRow row = row();
        assertThat(row.jobId).isEqualTo(jobId);
        assertThat(row.phase).isEqualTo(Phase.SUSPENDING);
        assertThat(row.pendingSnapshot).isNull();
        EventRow warning = events().get(0);
        assertThat(warning.type).isEqualTo("warning");
        assertThat(warning.reason).isEqualTo("SnapshotFailed");
        assertThat(warning.message).isEqualTo("snapshot " + failed.id + " (suspend) failed: savepoint timed out");

        clock.advance(Duration.ofSeconds(10));
        reconciler.pass(); // the next pass tries again

        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);
        assertThat(row().jobId).isNull();
        assertThat(store.snapshots().list("default", "orders")).extracting(s -> s.state)
                .containsExactly("completed", "failed");
    }

    // --- cancel

    @Test
    void cancelCancelsTheJobWithoutASnapshot() {
        String jobId = running();

        service.cancel(KEY, "alice");
        reconciler.pass();

        assertThat(engine.cancelled()).containsExactly(jobId);
        assertThat(engine.jobState(jobId)).isEqualTo(JobState.CANCELLED);
        assertThat(row().phase).isEqualTo(Phase.CANCELLED);
        assertThat(row().jobId).isNull();
        assertThat(store.snapshots().list(null, null)).isEmpty();
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(events().get(0).message).isEqualTo("running -> cancelled");
    }

    @Test
    void deleteCancelsTheJobAndForgetsTheDeployment() {
        String jobId = running();

        service.delete(KEY, "alice");

        assertThat(engine.cancelled()).containsExactly(jobId);
        assertThat(store.deployments().find(KEY)).isEmpty();
        assertThat(store.versions().list(KEY)).isEmpty();
        assertThat(store.events().list("default", "orders", 10)).isEmpty();
        assertThatThrownBy(() -> service.suspend(KEY, "alice")).isInstanceOf(NotFoundException.class)
                .hasMessage("deployment orders not found in namespace default");
    }

    @Test
    void deletingADeploymentWhoseBoundedJobFinishedCancelsNothing() {
        String jobId = running();
        engine.setJobState(jobId, JobState.FINISHED);
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.FINISHED);

        service.delete(KEY, "alice");

        assertThat(engine.cancelled()).as("Flink would log a cancel of a finished job as an error").isEmpty();
        assertThat(store.deployments().find(KEY)).isEmpty();
    }

    @Test
    void deletingWhileTheTargetDoesNotAnswerFailsRatherThanOrphanTheJob() {
        running();
        engine.setUnreachable(true);

        assertThatThrownBy(() -> service.delete(KEY, "alice")).isInstanceOf(RuntimeException.class);
        engine.setUnreachable(false);
        assertThat(store.deployments().find(KEY)).isPresent();
    }

    // --- the engine forgets the job

    @Test
    void lostJobRestartsFromARetainedCheckpointNewerThanTheSavepoint() {
        running();
        SnapshotRow savepoint = userSnapshot();
        clock.advance(Duration.ofMinutes(1));
        RetainedSnapshot checkpoint = retainCheckpoint("chk-7");
        reconciler.pass();
        String lostJob = row().jobId;

        engine.restart();
        reconciler.pass();

        assertThat(engine.submissions()).hasSize(2);
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(checkpoint.location());
        DeploymentRow row = row();
        assertThat(row.jobId).isEqualTo(JobIds.of(row.uid, 2)).isNotEqualTo(lostJob);
        assertThat(row.phase).isEqualTo(Phase.STARTING);
        assertThat(row.restoredFrom).isEqualTo(checkpoint.location());
        assertThat(savepoint.completedAt).isLessThan(checkpoint.completedAt().toEpochMilli());
        EventRow jobLost = event("JobLost");
        assertThat(jobLost.type).isEqualTo("warning");
        assertThat(jobLost.message)
                .isEqualTo("job " + lostJob + " is no longer known to the engine; restarting from the newest snapshot");
        assertThat(events().get(0).message).endsWith(" restoring retained checkpoint " + checkpoint.location());
    }

    @Test
    void aJobOfAnEmbeddedTargetGoneAfterARestartIsExpectedNotLost() {
        engine.stopsWithControlPlane(true);
        String before = running();
        engine.restart(); // the embedded cluster ended with the process

        Store reopened = restartControlPlane();
        new Reconciler(reopened, targets, snapshots, new Events(reopened, clock), new DeploymentLocks(), clock).pass();
        EventRow expected = reopened.events().list("default", "orders", 100).stream().filter(e -> e.reason.equals("JobLost"))
                .findFirst().orElseThrow();
        assertThat(expected.type).isEqualTo("normal");
        assertThat(expected.message).isEqualTo("job " + before + " ended with the previous Sluice process (target "
                + "embedded runs inside it); restarting from the newest snapshot");
    }

    @Test
    void aJobGoneFromARemoteTargetAfterARestartIsLost() {
        engine.stopsWithControlPlane(true);
        service.apply(YAML + "  target: remote\n", "default", "alice");
        reconciler.pass();
        remote.runAll();
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        remote.restart(); // the cluster lost its jobs while Sluice was down

        Store reopened = restartControlPlane();
        new Reconciler(reopened, targets, snapshots, new Events(reopened, clock), new DeploymentLocks(), clock).pass();
        EventRow lost = reopened.events().list("default", "orders", 100).stream().filter(e -> e.reason.equals("JobLost"))
                .findFirst().orElseThrow();
        assertThat(lost.type).isEqualTo("warning");
    }

    @Test
    void aJobOfAnEmbeddedTargetThatVanishesWhileSluiceRunsIsLost() {
        engine.stopsWithControlPlane(true);
        running();
        engine.restart();
        reconciler.pass();
        assertThat(event("JobLost").type).isEqualTo("warning");
    }

    @Test
    void lostJobRestartsFromASavepointNewerThanTheRetainedCheckpoint() {
        running();
        RetainedSnapshot checkpoint = retainCheckpoint("chk-3");
        reconciler.pass();
        assertThat(row().hasState).isTrue(); // a completed checkpoint makes the deployment stateful
        clock.advance(Duration.ofMinutes(1));
        SnapshotRow savepoint = userSnapshot();

        engine.restart();
        reconciler.pass();

        assertThat(engine.lastSubmission().restorePath()).isEqualTo(savepoint.location);
        assertThat(row().restoredFrom).isEqualTo(savepoint.location);
        assertThat(savepoint.completedAt).isGreaterThan(checkpoint.completedAt().toEpochMilli());
        assertThat(reasons()).contains("JobLost");
    }

    @Test
    void latestSavepointStrategyIgnoresNewerCheckpoints() {
        service.apply(YAML + "  restoreStrategy: latest-savepoint\n", "default", "alice");
        reconciler.pass();
        engine.runAll();
        reconciler.pass();
        SnapshotRow savepoint = userSnapshot();
        clock.advance(Duration.ofMinutes(1));
        retainCheckpoint("chk-9");

        engine.restart();
        reconciler.pass();

        assertThat(engine.lastSubmission().restorePath()).isEqualTo(savepoint.location);
    }

    @Test
    void aDeploymentThatHadStateRefusesToStartFromEmptyState() {
        String jobId = running();
        retainCheckpoint("chk-1");
        reconciler.pass();
        assertThat(row().hasState).isTrue();

        engine.restart();
        engine.forgetCheckpoints();
        reconciler.pass();

        assertThat(engine.submissions()).hasSize(1);
        DeploymentRow row = row();
        assertThat(row.phase).isEqualTo(Phase.FAILED);
        assertThat(row.error).isEqualTo("no completed snapshot or retained checkpoint found, though the deployment "
                + "had state; refusing to start from empty state");
        assertThat(row.jobId).isEqualTo(jobId);
        assertThat(events()).extracting(e -> e.type + " " + e.reason)
                .startsWith("warning Failed", "warning JobLost");

        reconciler.pass(); // failed stays failed

        assertThat(engine.submissions()).hasSize(1);
        assertThat(row().phase).isEqualTo(Phase.FAILED);
    }

    @Test
    void restoreStrategyNoneStartsEmptyEvenWithState() {
        service.apply(YAML + "  restoreStrategy: none\n", "default", "alice");
        reconciler.pass();
        engine.runAll();
        reconciler.pass();
        retainCheckpoint("chk-1");
        reconciler.pass();

        engine.restart();
        reconciler.pass();

        assertThat(engine.submissions()).hasSize(2);
        assertThat(engine.lastSubmission().restorePath()).isNull();
        assertThat(row().phase).isEqualTo(Phase.STARTING);
    }

    // --- user snapshots

    @Test
    void userSnapshotIsTakenWhileTheJobKeepsRunning() {
        String jobId = running();

        SnapshotRow requested = service.snapshot(KEY, "alice");

        assertThat(requested.state).isEqualTo("in-progress");
        assertThat(requested.origin).isEqualTo("user");
        assertThat(requested.version).isEqualTo(1);
        assertThat(requested.jobId).isEqualTo(jobId);
        assertThat(requested.targetDir).isEqualTo(LAYOUT.savepointDirectory(KEY, requested.id));
        assertThat(row().pendingSnapshot).isEqualTo(requested.id);
        assertThat(reasons().get(0)).isEqualTo("SnapshotRequested");
        assertThatThrownBy(() -> service.snapshot(KEY, "alice")).isInstanceOf(ConflictException.class)
                .hasMessage("deployment default/orders is already taking snapshot " + requested.id);

        clock.advance(Duration.ofSeconds(3));
        reconciler.pass();

        assertThat(engine.triggerSavepointCalls()).hasSize(1);
        SavepointCall call = engine.triggerSavepointCalls().get(0);
        assertThat(call.jobId()).isEqualTo(jobId);
        assertThat(call.targetDirectory()).isEqualTo(requested.targetDir);
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        SnapshotRow taken = store.snapshots().find(requested.id).orElseThrow();
        assertThat(taken.state).isEqualTo("completed");
        assertThat(taken.location).isEqualTo(call.location());
        assertThat(taken.completedAt).isEqualTo(clock.millis());
        DeploymentRow row = row();
        assertThat(row.pendingSnapshot).isNull();
        assertThat(row.hasState).isTrue();
        assertThat(row.phase).isEqualTo(Phase.RUNNING);
        assertThat(row.jobId).isEqualTo(jobId);
        assertThat(engine.jobState(jobId)).isEqualTo(JobState.RUNNING);
        assertThat(reasons().get(0)).isEqualTo("SnapshotCompleted");
    }

    @Test
    void snapshotOfASuspendedDeploymentIsAConflict() {
        running();
        service.suspend(KEY, "alice");
        reconciler.pass();
        int snapshots = store.snapshots().list(null, null).size();

        assertThatThrownBy(() -> service.snapshot(KEY, "alice")).isInstanceOf(ConflictException.class)
                .hasMessage("deployment default/orders is suspended; a snapshot needs a running job");
        assertThat(store.snapshots().list(null, null)).hasSize(snapshots);
        assertThat(row().pendingSnapshot).isNull();
    }

    @Test
    void snapshotOfAJobNotYetRunningIsAConflict() {
        service.apply(YAML, "default", "alice");
        reconciler.pass();

        assertThatThrownBy(() -> service.snapshot(KEY, "alice")).isInstanceOf(ConflictException.class)
                .hasMessage("deployment default/orders is starting; a snapshot needs a running job");
    }

    @Test
    void snapshotOfAnUnknownDeploymentIsNotFound() {
        assertThatThrownBy(() -> service.snapshot(new DeploymentKey("default", "ghost"), "alice"))
                .isInstanceOf(NotFoundException.class);
    }

    // --- apply

    @Test
    void reapplyingTheSameSpecChangesNothing() {
        running();
        DeploymentRow before = row();
        int events = events().size();

        ApplyResult again = service.apply(YAML, "default", "alice");
        ApplyResult withDefaultsSpelledOut = service.apply(YAML + "  parallelism: 1\n  state: running\n"
                + "  checkpoints: {interval: 10s}\n  target: embedded\n", "default", "bob");

        assertThat(again).isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.UNCHANGED, 1));
        assertThat(withDefaultsSpelledOut).isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.UNCHANGED, 1));
        assertThat(store.versions().list(KEY)).hasSize(1);
        assertThat(events()).hasSize(events);
        assertThat(row()).usingRecursiveComparison().isEqualTo(before);
    }

    @Test
    void applyingAChangedSpecUpgradesThroughASavepoint() {
        String oldJob = running();
        clock.advance(Duration.ofMinutes(1));

        ApplyResult result = service.apply(YAML + "  parallelism: 2\n", "default", "alice");

        assertThat(result).isEqualTo(new ApplyResult(KEY, ApplyResult.Outcome.UPDATED, 2));
        assertThat(store.versions().list(KEY)).extracting(v -> v.version).containsExactly(2, 1);
        assertThat(spec(2).parallelism()).isEqualTo(2);
        assertThat(row().specVersion).isEqualTo(2);
        assertThat(row().runningVersion).isEqualTo(1);
        assertThat(reasons().get(0)).isEqualTo("VersionCreated");

        reconciler.pass(); // stop the old job with a savepoint and start version 2 from it, in one pass

        SnapshotRow savepoint = onlySnapshot();
        assertThat(savepoint.origin).isEqualTo("upgrade");
        assertThat(savepoint.state).isEqualTo("completed");
        assertThat(savepoint.version).isEqualTo(1);
        assertThat(engine.stopWithSavepointCalls()).extracting(SavepointCall::jobId).containsExactly(oldJob);
        assertThat(engine.jobState(oldJob)).isEqualTo(JobState.FINISHED);
        assertThat(event("UpgradeSavepoint").message)
                .isEqualTo("upgrade from version 1 to 2 from snapshot " + savepoint.id);
        JobSubmission v2 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(2);
        assertThat(v2.jobName()).isEqualTo("default/orders v2");
        assertThat(v2.parallelism()).isEqualTo(2);
        assertThat(v2.restorePath()).isEqualTo(savepoint.location);
        assertThat(v2.pipeline()).isEqualTo(TestingEngine.planOf(spec(2)));
        assertThat(engine.aliveWhenSubmitted(v2.jobId())).isEmpty(); // the old job stopped before
        assertThat(engine.aliveJobs()).containsExactly(v2.jobId());
        DeploymentRow started = row();
        assertThat(started.runningVersion).isEqualTo(2);
        assertThat(started.jobId).isEqualTo(v2.jobId()).isNotEqualTo(oldJob);
        assertThat(started.phase).isEqualTo(Phase.STARTING);
        assertThat(started.hasState).isTrue();
        assertThat(started.restoredFrom).isEqualTo(savepoint.location);
        assertThat(started.restoreOverride).isNull();
        assertThat(events()).filteredOn(e -> e.reason.equals("Phase")).extracting(e -> e.message)
                .startsWith("upgrading -> starting", "running -> upgrading");
        assertThat(reasons()).doesNotContain("JobLost");

        reconciler.pass(); // the new job is still starting: nothing more to do

        assertThat(engine.submissions()).hasSize(2);
        assertThat(engine.stopWithSavepointCalls()).hasSize(1);
        assertThat(row().jobId).isEqualTo(v2.jobId());
        assertThat(row().phase).isEqualTo(Phase.STARTING);

        engine.runAll();
        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(engine.aliveJobs()).containsExactly(v2.jobId());
    }

    @Test
    void aStatelessUpgradeCancelsAndStartsEmpty() {
        String oldJob = running();
        retainCheckpoint("chk-4");
        reconciler.pass();
        assertThat(row().hasState).isTrue();

        service.apply(YAML + "  parallelism: 2\n  upgradeStrategy: stateless\n", "default", "alice");
        reconciler.pass(); // cancel the old job and start version 2 empty, in one pass

        assertThat(engine.cancelled()).containsExactly(oldJob);
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(event("JobStopped").message).isEqualTo("upgrade from version 1 to 2: cancelled the old job");
        JobSubmission v2 = engine.lastSubmission();
        assertThat(engine.submissions()).hasSize(2);
        assertThat(v2.jobName()).isEqualTo("default/orders v2");
        assertThat(v2.restorePath()).isNull(); // the retained checkpoint is ignored
        assertThat(v2.parallelism()).isEqualTo(2);
        assertThat(engine.aliveWhenSubmitted(v2.jobId())).isEmpty();
        DeploymentRow started = row();
        assertThat(started.phase).isEqualTo(Phase.STARTING);
        assertThat(started.jobId).isEqualTo(v2.jobId());
        assertThat(started.restoreOverride).isNull(); // "none" was used up by this start
        assertThat(started.restoredFrom).isNull();
        assertThat(started.runningVersion).isEqualTo(2);
        assertThat(reasons().get(0)).isEqualTo("Submitted");
        assertThat(events().get(0).message).isEqualTo("job " + v2.jobId() + " of version 2 to embedded with empty state");
        assertThat(events()).filteredOn(e -> e.reason.equals("Phase")).extracting(e -> e.message)
                .startsWith("upgrading -> starting", "running -> upgrading");
        assertThat(reasons()).doesNotContain("JobLost", "Failed");

        reconciler.pass();

        assertThat(engine.submissions()).hasSize(2);
        assertThat(row().restoreOverride).isNull();
    }

    @Test
    void sqlTheEngineRejectsIsReportedAtItsPlaceInTheDocument() {
        engine.rejectNextCompile(new PipelineRejectedException(
                List.of(new SpecError("spec.sql", 1, 27, "Object 'orders' not found"))));

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> service.apply(YAML, "default", "alice"));

        // "    INSERT INTO totals SELECT * FROM orders;" is line 7 of YAML, indented by 4
        assertThat(e.errors()).containsExactly(new SpecError("spec.sql", 7, 31, "Object 'orders' not found"));
        assertThat(store.deployments().find(KEY)).isEmpty();
    }

    @Test
    void anUnknownTargetIsASpecError() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> service.apply(YAML + "  target: nowhere\n", "default", "alice"));

        assertThat(e.errors()).containsExactly(new SpecError("spec.target", 8, 11,
                "unknown target 'nowhere'; targets: [embedded, remote]"));
        assertThat(store.deployments().find(KEY)).isEmpty();
    }

    // --- crashes

    @ParameterizedTest(name = "engine restarted too: {0}")
    @ValueSource(booleans = {false, true})
    void aSavepointThatCompletedBeforeACrashMidSuspendIsFound(boolean engineRestarted) {
        String jobId = running();
        SnapshotRow inProgress = crashedWhileStopping(jobId, "suspending", "suspend");
        String location = inProgress.targetDir + "/savepoint-written-before-crash";
        engine.putSavepoint(inProgress.targetDir, new RetainedSnapshot(location, clock.instant(), 777));
        engine.setJobState(jobId, JobState.FINISHED);
        if (engineRestarted) {
            engine.restart();
        }

        Store reopened = restartControlPlane();
        new Reconciler(reopened, targets, snapshots, new Events(reopened, clock), new DeploymentLocks(), clock).pass();

        SnapshotRow resolved = reopened.snapshots().find(inProgress.id).orElseThrow();
        assertThat(resolved.state).isEqualTo("completed");
        assertThat(resolved.location).isEqualTo(location);
        assertThat(resolved.sizeBytes).isEqualTo(777L);
        DeploymentRow row = reopened.deployments().find(KEY).orElseThrow();
        assertThat(row.phase).isEqualTo(Phase.SUSPENDED);
        assertThat(row.jobId).isNull();
        assertThat(row.pendingSnapshot).isNull();
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(engine.submissions()).hasSize(1);
    }

    @Test
    void aSavepointThatNeverCompletedBeforeACrashIsMarkedFailed() {
        String jobId = running();
        SnapshotRow inProgress = crashedWhileStopping(jobId, "suspending", "suspend");
        engine.restart(); // the job is gone and nothing was written

        Store reopened = restartControlPlane();
        new Reconciler(reopened, targets, snapshots, new Events(reopened, clock), new DeploymentLocks(), clock).pass();

        SnapshotRow resolved = reopened.snapshots().find(inProgress.id).orElseThrow();
        assertThat(resolved.state).isEqualTo("failed");
        assertThat(resolved.error).isEqualTo("interrupted before the savepoint completed");
        assertThat(reopened.deployments().find(KEY).orElseThrow().phase).isEqualTo(Phase.SUSPENDED);
    }

    // --- crash and target-change cases

    @Test
    void changingTheTargetStopsTheOldJobBeforeStartingTheNewOne() {
        String oldJob = running();

        service.apply(YAML + "  target: remote\n", "default", "alice");
        reconciler.pass(); // stop on the embedded target, start on the remote one

        assertThat(engine.jobState(oldJob)).isEqualTo(JobState.FINISHED);
        assertThat(engine.stopWithSavepointCalls()).extracting(SavepointCall::jobId).containsExactly(oldJob);
        assertThat(engine.submissions()).hasSize(1);
        assertThat(remote.submissions()).hasSize(1);
        assertThat(remote.lastSubmission().restorePath()).isEqualTo(onlySnapshot().location);
        assertThat(row().jobId).isEqualTo(remote.lastSubmission().jobId());
        assertThat(row().phase).isEqualTo(Phase.STARTING);

        reconciler.pass(); // the remote job is observed on the remote target

        assertThat(remote.submissions()).hasSize(1);
        assertThat(reasons()).doesNotContain("JobLost");
    }

    @Test
    void suspendingWhileAUserSnapshotIsPendingResolvesThatSnapshot() {
        running();
        SnapshotRow requested = service.snapshot(KEY, "alice");
        service.suspend(KEY, "alice");

        reconciler.pass();
        reconciler.pass();

        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);
        assertThat(store.snapshots().find(requested.id).orElseThrow().state).isNotEqualTo("in-progress");
        assertThat(store.snapshots().list(null, null)).extracting(s -> s.state).doesNotContain("in-progress");
    }

    @Test
    void aCrashMidUpgradeFinishesTheUpgrade() {
        String jobId = running();
        service.apply(YAML + "  parallelism: 2\n", "default", "alice");
        SnapshotRow inProgress = crashedWhileStopping(jobId, "upgrading", "upgrade");
        String location = inProgress.targetDir + "/savepoint-written-before-crash";
        engine.putSavepoint(inProgress.targetDir, new RetainedSnapshot(location, clock.instant(), 777));
        engine.setJobState(jobId, JobState.FINISHED);

        Store reopened = restartControlPlane();
        Reconciler after = new Reconciler(reopened, targets, snapshots, new Events(reopened, clock), locks, clock);
        after.pass();
        after.pass();

        assertThat(reopened.snapshots().find(inProgress.id).orElseThrow().state).isEqualTo("completed");
        DeploymentRow row = reopened.deployments().find(KEY).orElseThrow();
        assertThat(row.phase).isNotEqualTo(Phase.FINISHED);
        assertThat(row.runningVersion).isEqualTo(2);
        assertThat(engine.lastSubmission().parallelism()).isEqualTo(2);
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(location);
    }

    @Test
    void aCrashMidStatelessUpgradeFinishesTheUpgrade() {
        String jobId = running();
        service.apply(YAML + "  parallelism: 2\n  upgradeStrategy: stateless\n", "default", "alice");
        DeploymentRow row = row();
        row.phase = Phase.UPGRADING; // transition(UPGRADING) was stored, then engine.cancel ran, then the process died
        store.deployments().update(row);
        engine.cancel(jobId);

        Store reopened = restartControlPlane();
        Reconciler after = new Reconciler(reopened, targets, snapshots, new Events(reopened, clock), locks, clock);
        after.pass();
        after.pass();

        DeploymentRow now = reopened.deployments().find(KEY).orElseThrow();
        assertThat(now.phase).isNotEqualTo(Phase.FAILED);
        assertThat(now.runningVersion).isEqualTo(2);
    }
}
