package dev.sluice.control.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.lifecycle.Steps.JobLost;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Phase;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.RollbackSpec;
import dev.sluice.model.SavepointSpec;
import dev.sluice.model.UpgradeStrategy;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle as a table: an observation of a deployment (its row, its versions' specs, the engine's report of its
 * job, what storage holds) and the step the reconciler decides. Every phase, every failure of a peer the lifecycle
 * suites cover (a target missing or not answering, a job lost, failed, cancelled outside, restarting), and the
 * crash-loop cases: a first version, a version after an upgrade and after a rollback that fails again and again, with
 * a fix applied, a suspend and a cancel during each.
 */
class DecisionTableTest {
    /** In an expected step, a string component that may be anything. */
    private static final String ANY = "\u0000any";
    private static final long NOW = Instant.parse("2026-01-01T12:00:00Z").toEpochMilli();
    private static final PipelineSpec V1 = PipelineSpec.ofSql("INSERT INTO b SELECT * FROM a").withDefaults();
    private static final PipelineSpec V2 = PipelineSpec.ofSql("INSERT INTO b SELECT x FROM a").withDefaults();
    private static final String SAVEPOINT = "file:///snapshots/default/orders/s1/savepoint-1";
    private static final String OWN_CHECKPOINT = "file:///checkpoints/u1/job-2/chk-7";
    private static final String OLDER_CHECKPOINT = "file:///checkpoints/u1/job-1/chk-3";

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String name, Given given, Step expected) {
        Step decided = Decisions.next(given.observe());
        assertThat(matches(expected, decided)).as("decided %s", decided).isTrue();
    }

    static Stream<Arguments> table() {
        List<Arguments> rows = new ArrayList<>();
        // --- targets
        row(rows, "the wanted version's target is not configured",
                given().wanting(copy(V1, "gone", null, null, null, null)).missing("gone"), new Steps.NoteMissingTarget(ANY));
        row(rows, "a missing target already said",
                given().missing("gone").with(r -> r.error = Decisions.MISSING_TARGET_PREFIX
                        + "gone (sluice.yaml targets: [embedded]); nothing is started or stopped until it is back"),
                new Steps.Wait(ANY));
        row(rows, "the target does not answer: said once",
                given().job(JobState.UNREACHABLE), new Steps.NoteUnreachable(Decisions.UNREACHABLE_PREFIX
                        + "embedded: connection refused"));
        row(rows, "the target still does not answer",
                given().job(JobState.UNREACHABLE).with(r -> r.error = Decisions.UNREACHABLE_PREFIX + "embedded: x"),
                new Steps.Wait(ANY));
        row(rows, "no job yet and the target does not answer",
                given().pending().job(JobState.UNREACHABLE), new Steps.Wait(ANY));
        row(rows, "the target answers again",
                given().with(r -> r.error = Decisions.UNREACHABLE_PREFIX + "embedded: x"),
                new Steps.ClearTargetError());
        row(rows, "a missing target is back",
                given().with(r -> r.error = Decisions.MISSING_TARGET_PREFIX + "embedded (...)"),
                new Steps.ClearTargetError());

        // --- pending and starting
        row(rows, "pending, first start, empty state", given().pending(),
                new Steps.StartJob(null, false, JobLost.NO));
        row(rows, "pending fork: its pinned snapshot", given().pending().with(r -> r.restoreOverride =
                RestorePin.of(SAVEPOINT)), new Steps.StartJob(new RestorePoints.RestorePoint(SAVEPOINT, 0, null,
                "pinned snapshot"), false, JobLost.NO));
        row(rows, "resumed: the newest state", given().pending().with(r -> r.hasState = true).restorePoint(SAVEPOINT),
                new Steps.StartJob(point(SAVEPOINT), false, JobLost.NO));
        row(rows, "resumed with restore strategy none: empty state on purpose",
                given().pending().with(r -> r.hasState = true).restorePoint(SAVEPOINT)
                        .wanting(copy(V1, null, null, dev.sluice.model.RestoreStrategy.NONE, null, null)), new Steps.StartJob(null, false, JobLost.NO));
        row(rows, "starting", given().phase(Phase.STARTING).job(JobState.STARTING),
                new Steps.Transition(Phase.STARTING, null));
        row(rows, "starting while rolling back",
                given().phase(Phase.ROLLING_BACK).with(r -> r.rollingBack = true).job(JobState.STARTING),
                new Steps.Transition(Phase.ROLLING_BACK, null));
        row(rows, "a submission without an answer goes again under its job id",
                given().phase(Phase.STARTING).with(r -> r.hasState = false).job(JobState.NOT_FOUND).uncertain(),
                new Steps.StartJob(null, true, JobLost.NO));

        // --- running
        row(rows, "runs", given().phase(Phase.STARTING), new Steps.Transition(Phase.RUNNING, null));
        row(rows, "runs and completed its first checkpoint: stateful from now on",
                given().with(r -> r.hasState = false).checkpoint(OLDER_CHECKPOINT, 1), new Steps.MarkStateful());
        row(rows, "a periodic savepoint is due", given().periodicDue(), new Steps.RequestPeriodicSnapshot());
        row(rows, "a user snapshot is pending", given().with(r -> r.pendingSnapshot = "s1"),
                new Steps.TakeSnapshot());
        row(rows, "a snapshot was pending when the job went away",
                given().with(r -> r.pendingSnapshot = "s1").job(JobState.NOT_FOUND), new Steps.ResolvePendingSnapshot());
        row(rows, "ran through its readiness window",
                given().with(r -> r.versionStartedAt = NOW - 61_000), new Steps.MarkStable(ANY));
        row(rows, "the engine restarted the job", given().job(JobState.RESTARTING, NOW - 500),
                new Steps.CountRestart(NOW - 500));

        // --- peers failing
        row(rows, "the job vanished from a cluster", given().job(JobState.NOT_FOUND).remote().restorePoint(SAVEPOINT),
                new Steps.StartJob(point(SAVEPOINT), false, JobLost.YES));
        row(rows, "the job ended with the previous Sluice process",
                given().job(JobState.NOT_FOUND).notSeenAlive().restorePoint(SAVEPOINT),
                new Steps.StartJob(point(SAVEPOINT), false, JobLost.WITH_CONTROL_PLANE));
        row(rows, "the job vanished and its state cannot be found: never empty",
                given().job(JobState.NOT_FOUND).with(r -> r.hasState = true),
                new Steps.RefuseEmptyStart(JobLost.YES));
        row(rows, "the job failed", given().job(JobState.FAILED, "boom"),
                new Steps.Transition(Phase.FAILED, "the job failed: boom"));
        row(rows, "the job was cancelled outside Sluice", given().job(JobState.CANCELLED),
                new Steps.Transition(Phase.FAILED, "the job was cancelled outside Sluice"));
        row(rows, "a bounded job finished", given().job(JobState.FINISHED), new Steps.Transition(Phase.FINISHED, null));
        row(rows, "failed: until the user acts", given().phase(Phase.FAILED).job(JobState.FAILED),
                new Steps.Wait(ANY));
        row(rows, "finished: until the user acts", given().phase(Phase.FINISHED).job(JobState.FINISHED),
                new Steps.Wait(ANY));

        // --- readiness and automatic rollback
        row(rows, "a new version restarted too often: back to the stable one",
                given().version(2, 2).stable(1).with(r -> { r.versionStartedAt = NOW - 5_000; r.restarts = 4; })
                        .job(JobState.RESTARTING, NOW - 30_000).lastRestart(NOW - 30_000),
                new Steps.BeginRollback(1, ANY));
        row(rows, "a new version failed: back to the stable one",
                given().version(2, 2).stable(1).with(r -> r.versionStartedAt = NOW - 5_000).job(JobState.FAILED, "x"),
                new Steps.BeginRollback(1, ANY));
        row(rows, "a new version not running after its window", given().version(2, 2).stable(1)
                .with(r -> r.versionStartedAt = NOW - 61_000).job(JobState.STARTING), new Steps.BeginRollback(1, ANY));
        row(rows, "a first version restarted too often: nothing to roll back to", given().stable(null)
                .with(r -> { r.versionStartedAt = NOW - 5_000; r.restarts = 4; })
                .job(JobState.RESTARTING, NOW - 30_000).lastRestart(NOW - 30_000), new Steps.NotReady(ANY));
        row(rows, "automatic rollback disabled", given().version(2, 2).stable(1)
                .runningSpec(copy(V2, null, null, null, new RollbackSpec(false, null, null), null))
                .with(r -> r.versionStartedAt = NOW - 5_000).job(JobState.FAILED, "x"), new Steps.NotReady(ANY));

        // --- upgrades (version 1 runs, version 2 is wanted)
        row(rows, "a label changed: in place", given().version(2, 1).wanting(V1).runningSpec(V1),
                new Steps.RunInPlace());
        row(rows, "stateful upgrade through a savepoint", given().version(2, 1),
                new Steps.UpgradeThroughSavepoint("upgrade from version 1 to 2"));
        row(rows, "the version being replaced runs healthy inside its window: mark it stable first",
                given().version(2, 1).stable(null).with(r -> r.versionStartedAt = NOW - 1_000),
                new Steps.MarkStable("version 1 was running healthy when version 2 replaced it: it is the version to "
                        + "roll back to"));
        row(rows, "stateless upgrade: cancel, the next start restores nothing",
                given().version(2, 1).wanting(copy(V2, null, UpgradeStrategy.STATELESS, null, null, null)),
                new Steps.StopOldJob(RestorePin.NONE, false, "JobStopped", ANY, false));
        row(rows, "upgrade strategy none: the old version runs on",
                given().version(2, 1).wanting(copy(V2, null, UpgradeStrategy.NONE, null, null, null)),
                new Steps.Transition(Phase.RUNNING, null));
        row(rows, "the next state is pinned already: cancel",
                given().version(2, 1).with(r -> r.restoreOverride = RestorePin.of(SAVEPOINT)),
                new Steps.StopOldJob(RestorePin.of(SAVEPOINT), false, "JobStopped", ANY, false));
        row(rows, "the upgrade's savepoint failed this pass and no checkpoint is young: back to running",
                given().version(2, 1).phase(Phase.UPGRADING).with(r -> r.error = "upgrade from version 1 to 2 refused: "
                        + "the savepoint failed, and no retained checkpoint is younger than 5m; version 1 keeps running"),
                new Steps.Transition(Phase.RUNNING, null));
        row(rows, "a savepoint that failed in an earlier pass is tried again",
                given().version(2, 1).with(r -> r.error = "upgrade from version 1 to 2 refused: the savepoint failed, "
                        + "and no retained checkpoint is younger than 5m; version 1 keeps running"),
                new Steps.UpgradeThroughSavepoint("upgrade from version 1 to 2"));
        row(rows, "the old job is starting: wait for it to run",
                given().version(2, 1).job(JobState.STARTING), new Steps.Wait("a savepoint needs a running job"));
        row(rows, "the old job is restarting: a young retained checkpoint",
                given().version(2, 1).job(JobState.RESTARTING).checkpoint(OLDER_CHECKPOINT, 30),
                new Steps.StopOldJob(RestorePin.of(OLDER_CHECKPOINT), false, "UpgradeFromCheckpoint", ANY, true));
        row(rows, "the old job is restarting and its checkpoint is old: refused",
                given().version(2, 1).job(JobState.RESTARTING).checkpoint(OLDER_CHECKPOINT, 3600),
                new Steps.RefuseUpgrade(ANY));
        row(rows, "a refusal already said is not said again",
                given().version(2, 1).job(JobState.RESTARTING).checkpoint(OLDER_CHECKPOINT, 3600)
                        .with(r -> r.error = "upgrade from version 1 to 2 refused: the job is restarting and cannot take"
                                + " a savepoint, and no retained checkpoint is younger than 5m; version 1 keeps running"),
                new Steps.Transition(Phase.STARTING, null));
        row(rows, "the old job stopped with its savepoint: start the new version",
                given().version(2, 1).phase(Phase.UPGRADING).job(JobState.FINISHED)
                        .with(r -> r.restoreOverride = RestorePin.of(SAVEPOINT)),
                new Steps.StartJob(new RestorePoints.RestorePoint(SAVEPOINT, 0, null, "pinned snapshot"), false,
                        JobLost.NO));
        row(rows, "the old job was cancelled for the upgrade: start the new version",
                given().version(2, 1).phase(Phase.UPGRADING).job(JobState.NOT_FOUND).with(r -> r.jobId = null)
                        .with(r -> r.hasState = true).restorePoint(SAVEPOINT),
                new Steps.StartJob(point(SAVEPOINT), false, JobLost.NO));
        row(rows, "rolling back from a version that does not run: cancel it",
                given().version(1, 2).rollingBack().job(JobState.RESTARTING),
                new Steps.StopOldJob(null, false, "JobStopped", ANY, false));

        // --- crash loops: a first version, after an upgrade, after a rollback
        for (Loop loop : Loop.values()) {
            row(rows, loop + ": shown as failing with its restarts", loop.given(),
                    new Steps.Transition(Phase.FAILING, ANY));
            row(rows, loop + ": running again just after a restart is still failing",
                    loop.given().phase(Phase.FAILING).job(JobState.RUNNING),
                    new Steps.Wait(ANY));
            row(rows, loop + ": running ten seconds after its last restart has recovered",
                    loop.given().phase(Phase.FAILING).job(JobState.RUNNING).lastRestart(NOW - 10_000),
                    new Steps.Transition(Phase.RUNNING, null));
            row(rows, loop + ": a fix starts from the failing version's restore point", loop.fixed(),
                    new Steps.StopOldJob(loop.restoredFrom == null ? RestorePin.NONE : RestorePin.of(loop.restoredFrom),
                            true, "UpgradeFromRestorePoint", ANY, false));
            row(rows, loop + ": a fix after the failing version completed a checkpoint: from that checkpoint",
                    loop.fixed().checkpoint(OWN_CHECKPOINT, 20),
                    new Steps.StopOldJob(RestorePin.of(OWN_CHECKPOINT), false, "UpgradeFromCheckpoint", ANY, true));
            row(rows, loop + ": a fix after an old checkpoint of its own: refused",
                    loop.fixed().checkpoint(OWN_CHECKPOINT, 3600), new Steps.RefuseUpgrade(ANY));
            row(rows, loop + ": suspend cancels it; resume starts from its restore point",
                    loop.given().desired(DesiredState.SUSPENDED),
                    new Steps.Stop(Phase.SUSPENDED, true, loop.restoredFrom, ANY));
            row(rows, loop + ": suspend after a checkpoint of its own: resume from that checkpoint",
                    loop.given().desired(DesiredState.SUSPENDED).checkpoint(OWN_CHECKPOINT, 3600),
                    new Steps.Stop(Phase.SUSPENDED, true, OWN_CHECKPOINT, ANY));
            row(rows, loop + ": cancel cancels it", loop.given().desired(DesiredState.CANCELLED),
                    new Steps.Stop(Phase.CANCELLED, true, null, null));
        }
        row(rows, "a fix's pin whose cancel a crash prevented, and the job recovered and checkpointed since: dropped",
                Loop.AFTER_AN_UPGRADE.fixed().job(JobState.RUNNING).checkpoint(OWN_CHECKPOINT, 5)
                        .with(r -> r.restoreOverride = RestorePin.of(SAVEPOINT)).phase(Phase.UPGRADING),
                new Steps.DropStalePin());
        row(rows, "a checkpoint pin that is still the job's newest checkpoint stays",
                Loop.AFTER_AN_UPGRADE.fixed().checkpoint(OWN_CHECKPOINT, 5)
                        .with(r -> r.restoreOverride = RestorePin.of(OWN_CHECKPOINT)).phase(Phase.UPGRADING),
                new Steps.StopOldJob(RestorePin.of(OWN_CHECKPOINT), false, "JobStopped", ANY, false));
        row(rows, "a rollback's pin stays whatever the job did since",
                given().version(1, 2).rollingBack().checkpoint("file:///checkpoints/u1/job-1/chk-9", 5)
                        .with(r -> r.restoreOverride = RestorePin.of(SAVEPOINT)),
                new Steps.StopOldJob(RestorePin.of(SAVEPOINT), false, "JobStopped", ANY, false));
        row(rows, "a failing version that had state but no restore point is never started empty: no young checkpoint,"
                + " refused",
                Loop.FIRST_VERSION.fixed().with(r -> r.hasState = true),
                new Steps.RefuseUpgrade(ANY));

        // --- suspend
        row(rows, "suspend a running job: stop with a savepoint", given().desired(DesiredState.SUSPENDED),
                new Steps.StopForSuspend());
        row(rows, "suspend a starting job: wait for it to run",
                given().desired(DesiredState.SUSPENDED).job(JobState.STARTING), new Steps.Wait(ANY));
        row(rows, "suspend: the job stopped, its savepoint pending",
                given().desired(DesiredState.SUSPENDED).phase(Phase.SUSPENDING).job(JobState.FINISHED)
                        .with(r -> r.pendingSnapshot = "s1"), new Steps.ResolvePendingSnapshot());
        row(rows, "suspend: the job stopped", given().desired(DesiredState.SUSPENDED).phase(Phase.SUSPENDING)
                .job(JobState.FINISHED), new Steps.Stop(Phase.SUSPENDED, false, null, null));
        row(rows, "suspended", given().desired(DesiredState.SUSPENDED).phase(Phase.SUSPENDED).with(r -> r.jobId = null)
                .job(JobState.NOT_FOUND), new Steps.Wait("suspended"));
        row(rows, "suspend while the target does not answer",
                given().desired(DesiredState.SUSPENDED).job(JobState.UNREACHABLE), new Steps.NoteUnreachable(ANY));

        // --- cancel
        row(rows, "cancel a running job", given().desired(DesiredState.CANCELLED),
                new Steps.Stop(Phase.CANCELLED, true, null, null));
        row(rows, "cancel: a snapshot was pending", given().desired(DesiredState.CANCELLED).job(JobState.CANCELLED)
                .with(r -> r.pendingSnapshot = "s1"), new Steps.ResolvePendingSnapshot());
        row(rows, "cancelled", given().desired(DesiredState.CANCELLED).phase(Phase.CANCELLED).with(r -> r.jobId = null)
                .job(JobState.NOT_FOUND), new Steps.Wait("cancelled"));
        row(rows, "cancel: the job ended by itself", given().desired(DesiredState.CANCELLED).job(JobState.FINISHED),
                new Steps.Stop(Phase.CANCELLED, false, null, null));
        return rows.stream();
    }

    @Test
    void retentionRunsWhenTheWantedVersionHasASavepointPolicyAndTheTargetAnswers() {
        PipelineSpec kept = copy(V1, null, null, null, null, new SavepointSpec(null, 3, null));
        assertThat(Decisions.retention(given().wanting(kept).observe())).containsInstanceOf(Steps.ApplyRetention.class);
        assertThat(Decisions.retention(given().observe())).isEmpty();
        assertThat(Decisions.retention(given().wanting(kept).job(JobState.UNREACHABLE).observe())).isEmpty();
        assertThat(Decisions.retention(given().wanting(kept).missing("gone").observe())).isEmpty();
    }

    @Test
    void everyPhaseIsInTheTable() {
        List<Phase> seen = table().map(a -> ((Given) a.get()[1]).row.phase).distinct().toList();
        assertThat(seen).containsExactlyInAnyOrder(Phase.values());
    }

    @Test
    void everyKindOfStepIsInTheTable() {
        List<Class<?>> decided = new ArrayList<>();
        table().map(a -> a.get()[2].getClass()).distinct().forEach(decided::add);
        List<Class<?>> all = Stream.of(Step.class.getPermittedSubclasses())
                .filter(c -> c != Steps.ApplyRetention.class).toList();
        assertThat(decided).containsExactlyInAnyOrderElementsOf(all);
    }

    /** The crash loops of the issue: each version fails again and again, right after the engine restarted it. */
    private enum Loop {
        FIRST_VERSION(null, 1, null),
        AFTER_AN_UPGRADE(SAVEPOINT, 2, 1),
        AFTER_A_ROLLBACK(SAVEPOINT, 1, 1);

        final String restoredFrom;
        final int version;
        final Integer stable;

        Loop(String restoredFrom, int version, Integer stable) {
            this.restoredFrom = restoredFrom;
            this.version = version;
            this.stable = stable;
        }

        Given given() {
            Given g = DecisionTableTest.given().version(version, version).stable(stable)
                    .with(r -> { r.restoredFrom = restoredFrom; r.hasState = restoredFrom != null; r.restarts = 2;
                        r.jobId = "job-2"; })
                    .job(JobState.RESTARTING, NOW - 1_000).lastRestart(NOW - 1_000);
            if (restoredFrom != null) {
                g.checkpoint(OLDER_CHECKPOINT, 3600); // the version before it completed checkpoints; this one none
            }
            if (this == AFTER_A_ROLLBACK) {
                g.with(r -> r.rollingBack = true).phase(Phase.ROLLING_BACK);
            }
            return g;
        }

        /** A fixed version applied: the spec wants version + 1, with other SQL. */
        Given fixed() {
            return given().version(version + 1, version).with(r -> r.rollingBack = false).phase(Phase.FAILING)
                    .wanting(V2.withSql("INSERT INTO b SELECT y FROM a")).runningSpec(V2);
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    private static void row(List<Arguments> rows, String name, Given given, Step expected) {
        rows.add(Arguments.of(name, given, expected));
    }

    private static RestorePoints.RestorePoint point(String location) {
        return new RestorePoints.RestorePoint(location, NOW - 60_000, "s1", "snapshot");
    }

    /** {@code spec} with the given fields changed (null: as it is), defaults filled in. */
    private static PipelineSpec copy(PipelineSpec spec, String target, UpgradeStrategy upgrade,
            dev.sluice.model.RestoreStrategy restore, RollbackSpec rollback, SavepointSpec savepoints) {
        return new PipelineSpec(spec.sql(), spec.jar(), spec.parallelism(), spec.state(),
                upgrade == null ? spec.upgradeStrategy() : upgrade, restore == null ? spec.restoreStrategy() : restore,
                spec.checkpoints(), target == null ? spec.target() : target, spec.allowNonRestoredState(),
                spec.flinkConfiguration(), rollback == null ? spec.rollback() : rollback,
                savepoints == null ? spec.savepoints() : savepoints).withDefaults();
    }

    /** Same kind of step with the same components, where {@link #ANY} matches any string. */
    private static boolean matches(Step expected, Step actual) {
        if (expected.getClass() != actual.getClass()) {
            return false;
        }
        try {
            for (RecordComponent c : expected.getClass().getRecordComponents()) {
                Object want = c.getAccessor().invoke(expected);
                Object got = c.getAccessor().invoke(actual);
                if (!ANY.equals(want) && !java.util.Objects.equals(want, got)) {
                    return false;
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return true;
    }

    static Given given() {
        return new Given();
    }

    /**
     * An observation to decide on; by default version 1 (stable) runs healthy as job-1 on the embedded target, with
     * state, and storage holds nothing.
     */
    static final class Given {
        private final DeploymentRow row = new DeploymentRow();
        private PipelineSpec wanted = V1;
        private PipelineSpec running = V1;
        private JobObservation job = new JobObservation(JobState.RUNNING, null, 10L, 10L, null);
        private Optional<RetainedSnapshot> checkpoint = Optional.empty();
        private Optional<RestorePoints.RestorePoint> restore = Optional.empty();
        private boolean periodicDue;
        private boolean seenAlive = true;
        private boolean uncertain;
        private boolean inProcess = true;
        private String missing;

        Given() {
            row.namespace = "default";
            row.name = "orders";
            row.uid = "u1";
            row.desiredState = DesiredState.RUNNING;
            row.specVersion = 1;
            row.phase = Phase.RUNNING;
            row.runningVersion = 1;
            row.jobId = "job-1";
            row.jobAttempt = 1;
            row.hasState = true;
            row.lastStableVersion = 1;
        }

        Given with(Consumer<DeploymentRow> change) {
            change.accept(row);
            return this;
        }

        Given pending() {
            return with(r -> { r.phase = Phase.PENDING; r.jobId = null; r.runningVersion = null; r.hasState = false;
                r.lastStableVersion = null; }).job(JobState.NOT_FOUND).runningSpec(null);
        }

        Given phase(Phase phase) {
            return with(r -> r.phase = phase);
        }

        Given desired(DesiredState state) {
            return with(r -> r.desiredState = state);
        }

        /** The wanted and the running version; a different wanted one has other SQL. */
        Given version(int wanted, int running) {
            with(r -> { r.specVersion = wanted; r.runningVersion = running; });
            this.running = running == 1 ? V1 : V2;
            this.wanted = wanted == running ? this.running : wanted == 1 ? V1 : V2;
            return this;
        }

        Given stable(Integer version) {
            return with(r -> r.lastStableVersion = version);
        }

        Given rollingBack() {
            return with(r -> r.rollingBack = true).phase(Phase.ROLLING_BACK);
        }

        /** The engine's last restart of the job, seen and counted. */
        Given lastRestart(long at) {
            job = new JobObservation(job.state(), job.failure(), job.recordsIn(), job.recordsOut(), at);
            return with(r -> r.lastRestartAt = at);
        }

        Given wanting(PipelineSpec spec) {
            this.wanted = spec.withDefaults();
            return this;
        }

        Given runningSpec(PipelineSpec spec) {
            this.running = spec;
            return this;
        }

        Given job(JobState state) {
            return job(state, (String) null);
        }

        Given job(JobState state, String failure) {
            this.job = new JobObservation(state, failure == null && state == JobState.UNREACHABLE
                    ? "connection refused" : failure, null, null, job.lastRestartAt());
            return this;
        }

        Given job(JobState state, long lastRestartAt) {
            this.job = new JobObservation(state, "cast failed", null, null, lastRestartAt);
            return this;
        }

        Given checkpoint(String location, long secondsOld) {
            this.checkpoint = Optional.of(new RetainedSnapshot(location, Instant.ofEpochMilli(NOW - secondsOld * 1000),
                    100));
            return this;
        }

        Given restorePoint(String location) {
            this.restore = Optional.of(point(location));
            return this;
        }

        Given periodicDue() {
            this.periodicDue = true;
            return this;
        }

        Given notSeenAlive() {
            this.seenAlive = false;
            return this;
        }

        Given uncertain() {
            this.uncertain = true;
            return this;
        }

        Given remote() {
            this.inProcess = false;
            return this;
        }

        Given missing(String target) {
            this.missing = target;
            return this;
        }

        Observation observe() {
            String current = running == null ? wanted.target() : running.target();
            return new Observation(DeploymentView.of(row), wanted, Observation.Lazy.known(new CompiledPipeline("sql", "{}")), running,
                    wanted.target(), current, missing, "[embedded]", job, NOW, seenAlive, uncertain, inProcess, false,
                    Observation.Lazy.known(checkpoint), Observation.Lazy.known(restore),
                    Observation.Lazy.known(periodicDue));
        }

        @Override
        public String toString() {
            return "given";
        }
    }
}
