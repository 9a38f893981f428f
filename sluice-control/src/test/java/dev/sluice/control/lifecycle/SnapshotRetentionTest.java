package dev.sluice.control.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.model.SavepointSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SnapshotRetention#expired} on hand-built catalogs (newest first, as the store lists them): what
 * {@code retainCount} and {@code retainAge} let go, and what they never touch.
 */
class SnapshotRetentionTest {
    private static final long NOW = 1_750_000_000_000L;
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();

    // --- retainCount and retainAge

    @Test
    void theCountLimitKeepsTheNewestCompletedSnapshots() {
        List<SnapshotRow> catalog = List.of(
                completed("e", 1, 1), completed("d", 1, 2), completed("c", 1, 3), completed("b", 1, 4),
                completed("a", 1, 5));

        List<SnapshotRetention.Expired> expired = expired(catalog, new DeploymentRow(), count(2));

        assertThat(ids(expired)).containsExactly("c", "b", "a");
        assertThat(expired).extracting(SnapshotRetention.Expired::reason).containsOnly("more than 2 snapshots");
        assertThat(expired.get(0).snapshot()).isSameAs(catalog.get(2));
    }

    @Test
    void theCountLimitExpiresNothingWhileThereAreNoMoreSnapshotsThanItAllows() {
        List<SnapshotRow> catalog = List.of(completed("b", 1, 1), completed("a", 1, 2));

        assertThat(expired(catalog, new DeploymentRow(), count(2))).isEmpty();
        assertThat(expired(List.of(), new DeploymentRow(), count(1))).isEmpty();
    }

    @Test
    void theAgeLimitExpiresSnapshotsOlderThanItByTheirCompletionTime() {
        List<SnapshotRow> catalog = List.of(
                completed("d", 1, 10),
                completed("c", 1, 60), // exactly the limit: kept
                completed("b", 1, 61),
                completed("a", 1, 240));

        List<SnapshotRetention.Expired> expired = expired(catalog, new DeploymentRow(), age("1h"));

        assertThat(ids(expired)).containsExactly("b", "a");
        assertThat(expired).extracting(SnapshotRetention.Expired::reason).containsOnly("older than 1h");
    }

    @Test
    void theAgeOfACompletedSnapshotCountsFromItsCompletionNotItsRequest() {
        SnapshotRow slow = completed("slow", 1, 30);
        slow.createdAt = NOW - 3 * HOUR; // requested long ago, completed 30 minutes ago
        List<SnapshotRow> catalog = List.of(completed("newest", 1, 1), slow);

        assertThat(expired(catalog, new DeploymentRow(), age("1h"))).isEmpty();
    }

    @Test
    void bothLimitsApply() {
        List<SnapshotRow> catalog = List.of(
                completed("d", 1, 1), completed("c", 1, 120), completed("b", 1, 180), completed("a", 1, 240));

        List<SnapshotRetention.Expired> expired = expired(catalog, new DeploymentRow(),
                new SavepointSpec(null, 2, "1h"));

        assertThat(expired).extracting(e -> e.snapshot().id + ": " + e.reason()).containsExactly(
                "c: older than 1h", // within the count, but too old
                "b: more than 2 snapshots",
                "a: more than 2 snapshots");
    }

    @Test
    void theNewestCompletedSnapshotIsKeptThoughOlderThanTheAgeLimit() {
        List<SnapshotRow> catalog = List.of(
                failed("f", 1, 5), inProgress("p", 1, 10), completed("b", 1, 24 * 60), completed("a", 1, 48 * 60));

        List<SnapshotRetention.Expired> expired = expired(catalog, new DeploymentRow(), age("1h"));

        assertThat(ids(expired)).containsExactly("a");
    }

    @Test
    void aSnapshotInProgressNeverExpires() {
        List<SnapshotRow> catalog = List.of(
                completed("b", 1, 1), inProgress("old", 1, 10 * 24 * 60), completed("a", 1, 2));

        List<SnapshotRetention.Expired> expired = expired(catalog, new DeploymentRow(),
                new SavepointSpec(null, 1, "1h"));

        assertThat(ids(expired)).containsExactly("a");
    }

    // --- what the deployment still needs

    @Test
    void theSnapshotTheDeploymentIsPendingOnIsKept() {
        List<SnapshotRow> catalog = List.of(completed("b", 1, 1), completed("pending", 1, 300), completed("a", 1, 400));
        DeploymentRow row = new DeploymentRow();
        row.pendingSnapshot = "pending";

        assertThat(ids(expired(catalog, row, new SavepointSpec(null, 1, "1h")))).containsExactly("a");
    }

    @Test
    void theSnapshotTheRunningJobWasRestoredFromIsKept() {
        List<SnapshotRow> catalog = List.of(completed("b", 1, 1), completed("restored", 1, 300),
                completed("a", 1, 400));
        DeploymentRow row = new DeploymentRow();
        row.restoredFrom = catalog.get(1).location;

        assertThat(ids(expired(catalog, row, new SavepointSpec(null, 1, "1h")))).containsExactly("a");
    }

    @Test
    void theSnapshotTheNextStartIsPinnedToIsKept() {
        List<SnapshotRow> catalog = List.of(completed("b", 1, 1), completed("pinned", 1, 300), completed("a", 1, 400));
        DeploymentRow row = new DeploymentRow();
        row.restoreOverride = RestorePin.of(catalog.get(1).location);

        assertThat(ids(expired(catalog, row, new SavepointSpec(null, 1, "1h")))).containsExactly("a");
    }

    @Test
    void aStatelessRestartOverridePinsNothing() {
        List<SnapshotRow> catalog = List.of(completed("b", 1, 1), completed("a", 1, 2));
        DeploymentRow row = new DeploymentRow();
        row.restoreOverride = RestorePin.NONE;

        assertThat(ids(expired(catalog, row, count(1)))).containsExactly("a");
    }

    @Test
    void theNewestCompletedSnapshotOfEachVersionIsKeptBeyondTheCount() {
        List<SnapshotRow> catalog = List.of(
                completed("v3-new", 3, 1), failed("v3-failed", 3, 2), completed("v3-old", 3, 3),
                completed("v2-new", 2, 4), completed("v2-old", 2, 5),
                completed("v1-only", 1, 6));

        List<SnapshotRetention.Expired> expired = expired(catalog, new DeploymentRow(), count(1));

        assertThat(ids(expired)).containsExactly("v3-old", "v2-old");
    }

    @Test
    void theNewestCompletedSnapshotOfEachVersionIsKeptBeyondTheAgeLimit() {
        List<SnapshotRow> catalog = List.of(
                completed("v2", 2, 1), completed("v1-new", 1, 300), completed("v1-old", 1, 400));

        assertThat(ids(expired(catalog, new DeploymentRow(), age("1h")))).containsExactly("v1-old");
    }

    // --- failed snapshots

    @Test
    void failedSnapshotsExpireByAgeAndDoNotCountTowardTheCount() {
        List<SnapshotRow> catalog = List.of(
                failed("f-recent", 1, 1), completed("b", 1, 2), failed("f-old", 1, 120), completed("a", 1, 130));

        List<SnapshotRetention.Expired> expired = expired(catalog, new DeploymentRow(),
                new SavepointSpec(null, 2, "1h"));

        // a is the second completed snapshot (within the count) but older than an hour
        assertThat(expired).extracting(e -> e.snapshot().id + ": " + e.reason())
                .containsExactly("f-old: older than 1h", "a: older than 1h");
    }

    @Test
    void failedSnapshotsAreNotLetGoByTheCount() {
        List<SnapshotRow> catalog = List.of(
                completed("b", 1, 1), failed("f1", 1, 2), failed("f2", 1, 3), completed("a", 1, 4));

        assertThat(ids(expired(catalog, new DeploymentRow(), count(1)))).containsExactly("a");
    }

    @Test
    void theOnlySnapshotOfAVersionExpiresByAgeWhenItFailed() {
        List<SnapshotRow> catalog = List.of(completed("v1", 1, 1), failed("v2-failed", 2, 120));

        assertThat(ids(expired(catalog, new DeploymentRow(), age("1h")))).containsExactly("v2-failed");
    }

    // --- no policy

    @Test
    void noPolicyOrOneWithoutLimitsExpiresNothing() {
        List<SnapshotRow> catalog = List.of(
                completed("b", 1, 1), completed("a", 1, 10 * 24 * 60), failed("f", 1, 10 * 24 * 60));

        assertThat(expired(catalog, new DeploymentRow(), null)).isEmpty();
        assertThat(expired(catalog, new DeploymentRow(), new SavepointSpec(null, null, null))).isEmpty();
        assertThat(expired(catalog, new DeploymentRow(), new SavepointSpec("10m", null, null))).isEmpty();
    }

    // --- helpers

    private static List<SnapshotRetention.Expired> expired(List<SnapshotRow> catalog, DeploymentRow row,
            SavepointSpec policy) {
        return SnapshotRetention.expired(catalog, row, policy, NOW);
    }

    private static SavepointSpec count(int retainCount) {
        return new SavepointSpec(null, retainCount, null);
    }

    private static SavepointSpec age(String retainAge) {
        return new SavepointSpec(null, null, retainAge);
    }

    private static List<String> ids(List<SnapshotRetention.Expired> expired) {
        return expired.stream().map(e -> e.snapshot().id).toList();
    }

    /** A completed snapshot of a version, requested and completed the given number of minutes ago. */
    private static SnapshotRow completed(String id, int version, int minutesAgo) {
        SnapshotRow s = snapshot(id, version, "completed", minutesAgo);
        s.location = s.targetDir + "/savepoint-1";
        s.completedAt = s.createdAt;
        return s;
    }

    /** A failed snapshot (no location, no completion time), requested the given number of minutes ago. */
    private static SnapshotRow failed(String id, int version, int minutesAgo) {
        SnapshotRow s = snapshot(id, version, "failed", minutesAgo);
        s.error = "the savepoint failed";
        return s;
    }

    private static SnapshotRow inProgress(String id, int version, int minutesAgo) {
        return snapshot(id, version, "in-progress", minutesAgo);
    }

    private static SnapshotRow snapshot(String id, int version, String state, int minutesAgo) {
        SnapshotRow s = new SnapshotRow();
        s.id = id;
        s.namespace = "default";
        s.name = "orders";
        s.version = version;
        s.origin = "user";
        s.state = state;
        s.targetDir = "file:///tmp/x/savepoints/default/orders/" + id;
        s.createdAt = NOW - minutesAgo * MINUTE;
        return s;
    }
}
