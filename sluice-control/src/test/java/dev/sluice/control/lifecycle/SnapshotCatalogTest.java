package dev.sluice.control.lifecycle;

import dev.sluice.model.Phase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.EventRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.model.DeploymentKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The snapshot catalog driven by a deployment's {@code savepoints} policy: periodic savepoints while the job runs, and
 * retention that deletes the snapshots the policy lets go (files, then catalog row) but keeps what a rollback needs.
 */
class SnapshotCatalogTest extends LifecycleFixture {
    private static final String PERIODIC = YAML + "  savepoints: {periodic: 10m}\n";
    private static final String RETAIN_TWO = YAML + "  savepoints: {retainCount: 2}\n";

    // --- periodic savepoints

    @Test
    void aPeriodicSavepointIsTakenOncePerPeriodWhileRunning() {
        String job = runningWith(PERIODIC);

        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        reconciler.pass();

        assertThat(engine.triggerSavepointCalls()).isEmpty();
        assertThat(store.snapshots().list("default", "orders")).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        reconciler.pass();

        SnapshotRow periodic = onlySnapshot();
        assertThat(periodic.origin).isEqualTo("periodic");
        assertThat(periodic.state).isEqualTo("completed");
        assertThat(periodic.version).isEqualTo(1);
        assertThat(periodic.jobId).isEqualTo(job);
        assertThat(periodic.targetDir).isEqualTo(LAYOUT.savepointDirectory(KEY, periodic.id));
        assertThat(periodic.location).startsWith(periodic.targetDir);
        assertThat(periodic.completedAt).isEqualTo(clock.millis());
        assertThat(engine.triggerSavepointCalls()).singleElement()
                .satisfies(call -> assertThat(call.targetDirectory()).isEqualTo(periodic.targetDir));
        assertThat(engine.stopWithSavepointCalls()).isEmpty();
        assertThat(engine.jobState(job)).isEqualTo(JobState.RUNNING);
        DeploymentRow row = row();
        assertThat(row.phase).isEqualTo(Phase.RUNNING);
        assertThat(row.jobId).isEqualTo(job);
        assertThat(row.pendingSnapshot).isNull();
        assertThat(event("SnapshotCompleted").message).isEqualTo("snapshot " + periodic.id + " (periodic) at "
                + periodic.location);

        reconciler.pass();
        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        reconciler.pass();

        assertThat(engine.triggerSavepointCalls()).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        reconciler.pass();

        assertThat(engine.triggerSavepointCalls()).hasSize(2);
        assertThat(store.snapshots().list("default", "orders")).extracting(s -> s.origin + " " + s.state)
                .containsExactly("periodic completed", "periodic completed");
        assertThat(engine.submissions()).hasSize(1);
    }

    @Test
    void anyCompletedSnapshotRestartsThePeriod() {
        runningWith(PERIODIC);
        clock.advance(Duration.ofMinutes(5));
        SnapshotRow user = userSnapshot();

        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        reconciler.pass();

        assertThat(onlySnapshot().id).isEqualTo(user.id);

        clock.advance(Duration.ofSeconds(1));
        reconciler.pass();

        assertThat(store.snapshots().list("default", "orders")).extracting(s -> s.origin)
                .containsExactly("periodic", "user");
    }

    @Test
    void noPeriodicSavepointIsTakenWhileSuspended() {
        runningWith(PERIODIC);
        service.suspend(KEY, "alice");
        reconciler.pass();
        SnapshotRow suspend = onlySnapshot();
        assertThat(suspend.origin).isEqualTo("suspend");
        assertThat(row().phase).isEqualTo(Phase.SUSPENDED);

        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(15));
            reconciler.pass();
        }

        assertThat(onlySnapshot().id).isEqualTo(suspend.id);
        assertThat(engine.triggerSavepointCalls()).isEmpty();
        assertThat(engine.stopWithSavepointCalls()).hasSize(1);

        // Resumed, the period counts from the resume, not from the (older) suspend savepoint.
        service.resume(KEY, "alice");
        reconciler.pass();
        engine.runAll();
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        assertThat(engine.triggerSavepointCalls()).isEmpty();

        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        reconciler.pass();
        assertThat(engine.triggerSavepointCalls()).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        reconciler.pass();
        assertThat(engine.triggerSavepointCalls()).hasSize(1);
        assertThat(store.snapshots().list("default", "orders")).extracting(s -> s.origin)
                .containsExactly("periodic", "suspend");
    }

    @Test
    void aSpecWithoutPeriodTakesNoSavepoints() {
        runningWith(RETAIN_TWO);

        clock.advance(Duration.ofHours(2));
        reconciler.pass();

        assertThat(engine.triggerSavepointCalls()).isEmpty();
        assertThat(store.snapshots().list("default", "orders")).isEmpty();
    }

    // --- retention

    @Test
    void retentionDeletesTheSnapshotsBeyondTheCountFilesFirst() {
        runningWith(YAML + "  savepoints: {periodic: 10m, retainCount: 2}\n");
        SnapshotRow u1 = userSnapshotAfter(Duration.ofMinutes(1));
        SnapshotRow u2 = userSnapshotAfter(Duration.ofMinutes(1));

        assertThat(engine.deletedSnapshots()).isEmpty();

        SnapshotRow u3 = userSnapshotAfter(Duration.ofMinutes(1)); // the same pass lets u1 go

        assertThat(ids()).containsExactly(u3.id, u2.id);
        assertThat(engine.deletedSnapshots()).containsExactly(u1.targetDir);
        assertThat(snapshots.savepointIn(u1.targetDir)).isEmpty();
        assertThat(snapshots.savepointIn(u2.targetDir)).isPresent();
        EventRow deleted = event("SnapshotDeleted");
        assertThat(deleted.version).isEqualTo(1);
        assertThat(deleted.type).isEqualTo("normal");
        assertThat(deleted.actor).isEqualTo("reconciler");
        assertThat(deleted.message).isEqualTo("snapshot " + u1.id + " (user, completed) removed by retention: "
                + "more than 2 snapshots");

        clock.advance(Duration.ofMinutes(10)); // ten minutes after u3: a periodic savepoint, and u2 goes
        reconciler.pass();

        List<SnapshotRow> left = store.snapshots().list("default", "orders");
        assertThat(left).extracting(s -> s.origin).containsExactly("periodic", "user");
        assertThat(left.get(1).id).isEqualTo(u3.id);
        assertThat(engine.deletedSnapshots()).containsExactly(u1.targetDir, u2.targetDir);
        assertThat(events()).filteredOn(e -> e.reason.equals("SnapshotDeleted"))
                .extracting(e -> e.message.substring(0, e.message.indexOf(" (")))
                .containsExactly("snapshot " + u2.id, "snapshot " + u1.id);

        reconciler.pass(); // nothing more to let go

        assertThat(engine.deletedSnapshots()).hasSize(2);
        assertThat(reasons()).filteredOn("SnapshotDeleted"::equals).hasSize(2);
    }

    @Test
    void aPolicyAddedLaterTrimsTheCatalogInOnePass() {
        runningWith(YAML);
        List<SnapshotRow> taken = List.of(userSnapshotAfter(Duration.ofMinutes(1)),
                userSnapshotAfter(Duration.ofMinutes(1)), userSnapshotAfter(Duration.ofMinutes(1)),
                userSnapshotAfter(Duration.ofMinutes(1)));
        assertThat(engine.deletedSnapshots()).isEmpty();

        service.apply(RETAIN_TWO, "default", "alice"); // version 2 runs in place: only the policy changed
        reconciler.pass();

        assertThat(row().runningVersion).isEqualTo(2);
        assertThat(ids()).containsExactly(taken.get(3).id, taken.get(2).id);
        assertThat(engine.deletedSnapshots()).containsExactlyInAnyOrder(taken.get(0).targetDir,
                taken.get(1).targetDir);
        assertThat(reasons()).filteredOn("SnapshotDeleted"::equals).hasSize(2);
        assertThat(engine.submissions()).hasSize(1);
    }

    @Test
    void failedSnapshotsExpireByAge() {
        runningWith(YAML + "  savepoints: {retainAge: 1h}\n");
        SnapshotRow good = userSnapshotAfter(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));
        engine.failNextSavepoint("savepoint declined");
        SnapshotRow requested = service.snapshot(KEY, "alice");
        reconciler.pass();
        assertThat(store.snapshots().find(requested.id).orElseThrow().state).isEqualTo("failed");

        clock.advance(Duration.ofMinutes(61));
        reconciler.pass();

        assertThat(ids()).containsExactly(good.id); // older than an hour too, but the newest completed one
        assertThat(engine.deletedSnapshots()).containsExactly(requested.targetDir);
        assertThat(event("SnapshotDeleted").message).isEqualTo("snapshot " + requested.id
                + " (user, failed) removed by retention: older than 1h");
    }

    @Test
    void theSnapshotARollbackWouldPinSurvivesRetention() {
        String v2Yaml = RETAIN_TWO.replace("SELECT * FROM orders", "SELECT id, amount FROM orders");
        runningWith(RETAIN_TWO);
        SnapshotRow a = userSnapshotAfter(Duration.ofMinutes(1));
        SnapshotRow b = userSnapshotAfter(Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(61));
        reconciler.pass();
        assertThat(row().lastStableVersion).isEqualTo(1);

        // Version 2: version 1 stops with an upgrade savepoint, its newest snapshot.
        clock.advance(Duration.ofMinutes(1));
        assertThat(service.apply(v2Yaml, "default", "alice").version()).isEqualTo(2);
        reconciler.pass();
        reconciler.pass();
        engine.runAll();
        reconciler.pass();
        assertThat(row().runningVersion).isEqualTo(2);
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        SnapshotRow upgrade = store.snapshots().list("default", "orders").get(0);
        assertThat(upgrade.origin).isEqualTo("upgrade");
        assertThat(upgrade.version).isEqualTo(1);

        SnapshotRow u1 = userSnapshotAfter(Duration.ofMinutes(1));
        SnapshotRow u2 = userSnapshotAfter(Duration.ofMinutes(1));
        SnapshotRow u3 = userSnapshotAfter(Duration.ofMinutes(1));

        // u1 is beyond the count; the upgrade savepoint is too, but it is what a rollback to version 1 restores.
        assertThat(ids()).containsExactly(u3.id, u2.id, upgrade.id);
        assertThat(engine.deletedSnapshots()).containsExactly(a.targetDir, b.targetDir, u1.targetDir);
        assertThat(reasons()).filteredOn("SnapshotDeleted"::equals).hasSize(3);

        service.rollback(KEY, 1, "alice");
        assertThat(row().restoreOverride).isEqualTo(RestorePin.of(upgrade.location));
        reconciler.pass();
        reconciler.pass();

        assertThat(engine.lastSubmission().jobName()).isEqualTo("default/orders v1");
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(upgrade.location);
        assertThat(ids()).containsExactly(u3.id, u2.id, upgrade.id);
        assertThat(engine.deletedSnapshots()).hasSize(3);
    }

    @Test
    void retentionNeverTouchesAnotherDeploymentsSnapshots() {
        DeploymentKey otherNamespace = new DeploymentKey("other", "orders");
        DeploymentKey otherName = new DeploymentKey("default", "payments");
        service.apply(YAML, "other", "bob");
        service.apply(YAML.replace("name: orders", "name: payments"), "default", "bob");
        runningWith(YAML + "  savepoints: {retainCount: 1, retainAge: 1m}\n");
        assertThat(store.deployments().find(otherNamespace).orElseThrow().phase).isEqualTo(Phase.RUNNING);
        assertThat(store.deployments().find(otherName).orElseThrow().phase).isEqualTo(Phase.RUNNING);
        List<SnapshotRow> others = List.of(
                snapshotOf(otherNamespace), snapshotOf(otherName), snapshotOf(otherNamespace), snapshotOf(otherName));

        SnapshotRow first = userSnapshotAfter(Duration.ofMinutes(1));
        SnapshotRow second = userSnapshotAfter(Duration.ofMinutes(1));
        clock.advance(Duration.ofHours(1));
        reconciler.pass();

        assertThat(ids()).containsExactly(second.id);
        assertThat(engine.deletedSnapshots()).containsExactly(first.targetDir);
        assertThat(store.snapshots().list("other", "orders")).hasSize(2);
        assertThat(store.snapshots().list("default", "payments")).hasSize(2);
        for (SnapshotRow s : others) {
            assertThat(store.snapshots().find(s.id)).isPresent();
            assertThat(snapshots.savepointIn(s.targetDir)).isPresent();
        }
        assertThat(store.events().list("other", "orders", 100)).extracting(e -> e.reason).doesNotContain("SnapshotDeleted");
        assertThat(store.events().list("default", "payments", 100)).extracting(e -> e.reason)
                .doesNotContain("SnapshotDeleted");
    }

    // --- helpers

    /** Applies a spec of {@code default/orders} and drives it to running; returns the job id. */
    private String runningWith(String yaml) {
        service.apply(yaml, "default", "alice");
        reconciler.pass();
        engine.runAll();
        reconciler.pass();
        assertThat(row().phase).isEqualTo(Phase.RUNNING);
        return row().jobId;
    }

    /** Moves the clock on, then takes a user snapshot of {@code default/orders}. */
    private SnapshotRow userSnapshotAfter(Duration wait) {
        clock.advance(wait);
        return userSnapshot();
    }

    /** Moves the clock on a minute and takes a user snapshot of another deployment. */
    private SnapshotRow snapshotOf(DeploymentKey key) {
        clock.advance(Duration.ofMinutes(1));
        SnapshotRow requested = service.snapshot(key, "bob");
        reconciler.pass();
        SnapshotRow taken = store.snapshots().find(requested.id).orElseThrow();
        assertThat(taken.state).isEqualTo("completed");
        return taken;
    }

    /** Ids of the snapshots of {@code default/orders} left in the catalog, newest first. */
    private List<String> ids() {
        return store.snapshots().list("default", "orders").stream().map(s -> s.id).toList();
    }
}
