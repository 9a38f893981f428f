package dev.sluice.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.DeploymentKey;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    private static final DeploymentKey ORDERS = new DeploymentKey("shop", "orders");
    private static final DeploymentKey PAYMENTS = new DeploymentKey("shop", "payments");
    private static final DeploymentKey RIDES = new DeploymentKey("mobility", "rides");

    @TempDir
    Path dir;

    private Store store;

    @BeforeEach
    void open() {
        store = Store.h2(dir);
    }

    @AfterEach
    void close() {
        H2Databases.shutdown(dir);
    }

    // --- deployments

    @Test
    void insertedDeploymentReadsBackFieldForField() {
        DeploymentRow row = deployment(ORDERS, 1);
        row.runningVersion = 1;
        row.jobId = "0123456789abcdef0123456789abcdef";
        row.jobAttempt = 3;
        row.restoredFrom = "file:///tmp/x/savepoints/shop/orders/s1/savepoint-1";
        row.error = "something broke";
        row.hasState = true;
        row.pendingSnapshot = "s1";
        row.restoreOverride = "none";
        row.recordsIn = 10L;
        row.recordsOut = 7L;
        store.inTransaction(h -> store.insertDeployment(h, row));

        assertThat(store.deployment(ORDERS)).get().usingRecursiveComparison().isEqualTo(row);
    }

    @Test
    void nullableColumnsStayNull() {
        DeploymentRow row = deployment(ORDERS, 1);
        store.inTransaction(h -> store.insertDeployment(h, row));

        DeploymentRow read = store.deployment(ORDERS).orElseThrow();
        assertThat(read.runningVersion).isNull();
        assertThat(read.jobId).isNull();
        assertThat(read.recordsIn).isNull();
        assertThat(read.pendingSnapshot).isNull();
        assertThat(read).usingRecursiveComparison().isEqualTo(row);
    }

    @Test
    void unknownDeploymentIsEmpty() {
        assertThat(store.deployment(ORDERS)).isEmpty();
        assertThat(store.deployments(null)).isEmpty();
    }

    @Test
    void updateChangesOnlyThatDeployment() {
        store.inTransaction(h -> {
            store.insertDeployment(h, deployment(ORDERS, 1));
            store.insertDeployment(h, deployment(PAYMENTS, 1));
        });
        DeploymentRow changed = store.deployment(ORDERS).orElseThrow();
        changed.phase = "running";
        changed.specVersion = 2;
        changed.runningVersion = 2;
        changed.jobId = "job-2";
        changed.hasState = true;
        changed.updatedAt = 5_000;
        changed.transitionAt = 5_000;
        store.updateDeployment(changed);

        assertThat(store.deployment(ORDERS)).get().usingRecursiveComparison().isEqualTo(changed);
        assertThat(store.deployment(PAYMENTS)).get().usingRecursiveComparison().isEqualTo(deployment(PAYMENTS, 1));
    }

    @Test
    void updateCanClearValues() {
        DeploymentRow row = deployment(ORDERS, 1);
        row.jobId = "job-1";
        row.pendingSnapshot = "s1";
        row.error = "e";
        store.inTransaction(h -> store.insertDeployment(h, row));
        row.jobId = null;
        row.pendingSnapshot = null;
        row.error = null;
        store.updateDeployment(row);

        DeploymentRow read = store.deployment(ORDERS).orElseThrow();
        assertThat(read.jobId).isNull();
        assertThat(read.pendingSnapshot).isNull();
        assertThat(read.error).isNull();
    }

    @Test
    void deploymentsAreListedByNamespaceThenName() {
        store.inTransaction(h -> {
            store.insertDeployment(h, deployment(PAYMENTS, 1));
            store.insertDeployment(h, deployment(RIDES, 1));
            store.insertDeployment(h, deployment(ORDERS, 1));
        });

        assertThat(store.deployments(null)).extracting(DeploymentRow::key).containsExactly(RIDES, ORDERS, PAYMENTS);
        assertThat(store.deployments("shop")).extracting(DeploymentRow::key).containsExactly(ORDERS, PAYMENTS);
        assertThat(store.deployments("nowhere")).isEmpty();
    }

    @Test
    void aDeploymentNameIsUniqueInItsNamespace() {
        store.inTransaction(h -> store.insertDeployment(h, deployment(ORDERS, 1)));

        assertThatThrownBy(() -> store.inTransaction(h -> store.insertDeployment(h, deployment(ORDERS, 1))))
                .isInstanceOf(RuntimeException.class);
        store.inTransaction(h -> store.insertDeployment(h, deployment(new DeploymentKey("other", "orders"), 1)));
        assertThat(store.deployments(null)).hasSize(2);
    }

    @Test
    void aFailedTransactionWritesNothing() {
        assertThatThrownBy(() -> store.inTransaction(h -> {
            store.insertDeployment(h, deployment(ORDERS, 1));
            store.insertVersion(h, version(ORDERS, 1));
            store.appendEvent(h, event(ORDERS, "Created", 1));
            throw new IllegalStateException("boom");
        })).hasMessage("boom");

        assertThat(store.deployment(ORDERS)).isEmpty();
        assertThat(store.versions(ORDERS)).isEmpty();
        assertThat(store.events(null, null, 10)).isEmpty();
    }

    // --- versions

    @Test
    void versionsAreListedNewestFirst() {
        store.inTransaction(h -> {
            store.insertVersion(h, version(ORDERS, 2));
            store.insertVersion(h, version(ORDERS, 1));
            store.insertVersion(h, version(ORDERS, 3));
            store.insertVersion(h, version(PAYMENTS, 7));
        });

        assertThat(store.versions(ORDERS)).extracting(v -> v.version).containsExactly(3, 2, 1);
        assertThat(store.version(ORDERS, 2)).get().usingRecursiveComparison().isEqualTo(version(ORDERS, 2));
        assertThat(store.version(ORDERS, 7)).isEmpty();
        assertThat(store.versions(RIDES)).isEmpty();
    }

    @Test
    void aVersionIsWrittenOnce() {
        store.inTransaction(h -> store.insertVersion(h, version(ORDERS, 1)));

        assertThatThrownBy(() -> store.inTransaction(h -> store.insertVersion(h, version(ORDERS, 1))))
                .isInstanceOf(RuntimeException.class);
    }

    // --- snapshots

    @Test
    void snapshotReadsBackAndUpdatesOnlyItsResult() {
        SnapshotRow s = snapshot("s1", ORDERS, 100);
        store.insertSnapshot(s);

        assertThat(store.snapshot("s1")).get().usingRecursiveComparison().isEqualTo(s);

        SnapshotRow done = store.snapshot("s1").orElseThrow();
        done.state = "completed";
        done.location = "file:///tmp/x/savepoints/shop/orders/s1/savepoint-1";
        done.sizeBytes = 4096L;
        done.completedAt = 150L;
        done.origin = "user-changed"; // not an updatable column
        store.updateSnapshot(done);

        SnapshotRow read = store.snapshot("s1").orElseThrow();
        assertThat(read.state).isEqualTo("completed");
        assertThat(read.location).isEqualTo(done.location);
        assertThat(read.sizeBytes).isEqualTo(4096L);
        assertThat(read.completedAt).isEqualTo(150L);
        assertThat(read.origin).isEqualTo("suspend");
        assertThat(read.targetDir).isEqualTo(s.targetDir);
        assertThat(store.snapshot("nope")).isEmpty();
    }

    @Test
    void failedSnapshotKeepsItsError() {
        SnapshotRow s = snapshot("s1", ORDERS, 100);
        store.insertSnapshot(s);
        s.state = "failed";
        s.error = "savepoint timed out";
        store.updateSnapshot(s);

        SnapshotRow read = store.snapshot("s1").orElseThrow();
        assertThat(read.state).isEqualTo("failed");
        assertThat(read.error).isEqualTo("savepoint timed out");
        assertThat(read.completedAt).isNull();
        assertThat(read.location).isNull();
    }

    @Test
    void snapshotsAreListedNewestFirstAndFiltered() {
        store.insertSnapshot(snapshot("o-old", ORDERS, 100));
        store.insertSnapshot(snapshot("r-mid", RIDES, 200));
        store.insertSnapshot(snapshot("o-new", ORDERS, 300));
        store.insertSnapshot(snapshot("p-mid", PAYMENTS, 250));

        assertThat(ids(store.snapshots(null, null))).containsExactly("o-new", "p-mid", "r-mid", "o-old");
        assertThat(ids(store.snapshots("shop", null))).containsExactly("o-new", "p-mid", "o-old");
        assertThat(ids(store.snapshots("shop", "orders"))).containsExactly("o-new", "o-old");
        assertThat(ids(store.snapshots("mobility", "orders"))).isEmpty();
    }

    @Test
    void snapshotsMadeInTheSameMillisecondAreOrderedById() {
        store.insertSnapshot(snapshot("b", ORDERS, 100));
        store.insertSnapshot(snapshot("a", ORDERS, 100));

        assertThat(ids(store.snapshots("shop", "orders"))).containsExactly("a", "b");
    }

    // --- events

    @Test
    void eventsAreListedNewestFirstUpToTheLimit() {
        for (int i = 1; i <= 5; i++) {
            store.appendEvent(event(ORDERS, "E" + i, i));
        }
        store.appendEvent(event(PAYMENTS, "P1", 1));
        store.appendEvent(event(RIDES, "R1", 1));

        List<EventRow> latest = store.events("shop", "orders", 3);
        assertThat(latest).extracting(e -> e.reason).containsExactly("E5", "E4", "E3");
        assertThat(latest).extracting(e -> e.id).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(store.events("shop", null, 100)).extracting(e -> e.reason)
                .containsExactly("P1", "E5", "E4", "E3", "E2", "E1");
        assertThat(store.events(null, null, 2)).extracting(e -> e.reason).containsExactly("R1", "P1");
    }

    @Test
    void eventReadsBackFieldForField() {
        EventRow e = event(ORDERS, "Created", 1);
        e.version = null;
        store.appendEvent(e);

        EventRow read = store.events("shop", "orders", 1).get(0);
        assertThat(read.id).isPositive();
        assertThat(read).usingRecursiveComparison().ignoringFields("id").isEqualTo(e);
    }

    // --- delete

    @Test
    void deleteDeploymentRemovesItsRowsOnly() {
        store.inTransaction(h -> {
            for (DeploymentKey key : List.of(ORDERS, PAYMENTS)) {
                store.insertDeployment(h, deployment(key, 1));
                store.insertVersion(h, version(key, 1));
                store.insertSnapshot(h, snapshot(key.name() + "-s", key, 100));
                store.appendEvent(h, event(key, "Created", 1));
            }
        });

        store.inTransaction(h -> store.deleteDeployment(h, ORDERS));

        assertThat(store.deployment(ORDERS)).isEmpty();
        assertThat(store.versions(ORDERS)).isEmpty();
        assertThat(store.snapshots("shop", "orders")).isEmpty();
        assertThat(store.events("shop", "orders", 10)).isEmpty();
        assertThat(store.deployment(PAYMENTS)).isPresent();
        assertThat(store.versions(PAYMENTS)).hasSize(1);
        assertThat(store.snapshots("shop", "payments")).hasSize(1);
        assertThat(store.events("shop", "payments", 10)).hasSize(1);
    }

    // --- durability and migrations

    @Test
    void everythingSurvivesACrashAndAReopen() {
        DeploymentRow row = deployment(ORDERS, 2);
        row.jobId = "job-1";
        row.pendingSnapshot = "s2";
        store.inTransaction(h -> {
            store.insertDeployment(h, row);
            store.insertVersion(h, version(ORDERS, 1));
            store.insertVersion(h, version(ORDERS, 2));
        });
        store.insertSnapshot(snapshot("s1", ORDERS, 100));
        store.insertSnapshot(snapshot("s2", ORDERS, 200));
        store.appendEvent(event(ORDERS, "Created", 1));
        store.appendEvent(event(ORDERS, "VersionCreated", 2));

        H2Databases.crash(dir); // no clean close: each commit must already be on disk (WRITE_DELAY=0)
        Store reopened = Store.h2(dir);

        assertThat(reopened.deployment(ORDERS)).get().usingRecursiveComparison().isEqualTo(row);
        assertThat(reopened.versions(ORDERS)).extracting(v -> v.version).containsExactly(2, 1);
        assertThat(ids(reopened.snapshots("shop", "orders"))).containsExactly("s2", "s1");
        assertThat(reopened.events("shop", "orders", 10)).extracting(e -> e.reason)
                .containsExactly("VersionCreated", "Created");
        // event ids keep counting after a restart
        reopened.appendEvent(event(ORDERS, "Phase", 2));
        List<EventRow> events = reopened.events("shop", "orders", 10);
        assertThat(events.get(0).reason).isEqualTo("Phase");
        assertThat(events.get(0).id).isGreaterThan(events.get(1).id);
    }

    @Test
    void migrationsRunOnceHoweverOftenTheStoreOpens() {
        store.inTransaction(h -> store.insertDeployment(h, deployment(ORDERS, 1)));
        long historyRows = H2Databases.queryLong(dir, "SELECT COUNT(*) FROM \"flyway_schema_history\"");

        Store.h2(dir); // on the open database
        H2Databases.shutdown(dir);
        Store again = Store.h2(dir); // from the file

        assertThat(again.deployment(ORDERS)).isPresent();
        assertThat(H2Databases.queryLong(dir, "SELECT COUNT(*) FROM \"flyway_schema_history\"")).isEqualTo(historyRows);
        assertThat(H2Databases.queryLong(dir,
                "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"version\" = '1' AND \"success\"")).isEqualTo(1);
    }

    // --- rows

    private static DeploymentRow deployment(DeploymentKey key, int specVersion) {
        DeploymentRow row = new DeploymentRow();
        row.namespace = key.namespace();
        row.name = key.name();
        row.uid = "4b7d1c2e-0000-4000-8000-" + String.format("%012d", Math.abs(key.hashCode()) % 1_000_000_000_000L);
        row.labels = "{\"team\":\"pricing\"}";
        row.desiredState = "running";
        row.specVersion = specVersion;
        row.phase = "pending";
        row.createdAt = 1_000;
        row.updatedAt = 1_000;
        row.transitionAt = 1_000;
        return row;
    }

    private static VersionRow version(DeploymentKey key, int version) {
        VersionRow v = new VersionRow();
        v.namespace = key.namespace();
        v.name = key.name();
        v.version = version;
        v.spec = "{\"sql\":\"SELECT " + version + "\",\"parallelism\":" + version + "}";
        v.planKind = "sql-plan";
        v.plan = "{\"plan\":" + version + "}";
        v.createdAt = 1_000L + version;
        return v;
    }

    private static SnapshotRow snapshot(String id, DeploymentKey key, long createdAt) {
        SnapshotRow s = new SnapshotRow();
        s.id = id;
        s.namespace = key.namespace();
        s.name = key.name();
        s.version = 1;
        s.origin = "suspend";
        s.state = "in-progress";
        s.targetDir = "file:///tmp/x/savepoints/" + key.namespace() + "/" + key.name() + "/" + id;
        s.jobId = "job-1";
        s.createdAt = createdAt;
        return s;
    }

    private static EventRow event(DeploymentKey key, String reason, Integer version) {
        EventRow e = new EventRow();
        e.namespace = key.namespace();
        e.name = key.name();
        e.version = version;
        e.type = "normal";
        e.reason = reason;
        e.message = reason + " happened";
        e.actor = "alice";
        e.time = 2_000;
        return e;
    }

    private static List<String> ids(List<SnapshotRow> snapshots) {
        return snapshots.stream().map(s -> s.id).toList();
    }
}
