package dev.sluice.control.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.store.SnapshotRow;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every combination of upgrade strategy (what a new version does with the running job's state) and restore strategy
 * (what an ordinary start restores), as documented in the user guide: a stateful upgrade starts the new version from
 * the savepoint it took, a stateless one from nothing, none leaves the old version running; after that, a lost job
 * restarts from the newest state, the newest savepoint, or nothing.
 */
class StrategyMatrixTest extends LifecycleFixture {

    @ParameterizedTest(name = "upgradeStrategy {0}, restoreStrategy {1}")
    @CsvSource({
        "stateful,  latest-state",
        "stateful,  latest-savepoint",
        "stateful,  none",
        "stateless, latest-state",
        "stateless, latest-savepoint",
        "stateless, none",
        "none,      latest-state",
        "none,      latest-savepoint",
        "none,      none"})
    void upgradeThenLostJob(String upgrade, String restore) {
        String strategies = "  upgradeStrategy: " + upgrade + "\n  restoreStrategy: " + restore + "\n";
        service.apply(YAML + strategies, "default", "alice");
        reconciler.pass();
        engine.runAll();
        reconciler.pass();
        String v1Job = row().jobId;
        SnapshotRow userSavepoint = userSnapshot();
        clock.advance(Duration.ofMinutes(1));

        // The upgrade: version 2 differs in parallelism.
        service.apply(YAML + strategies + "  parallelism: 2\n", "default", "alice");
        reconciler.pass();

        SnapshotRow upgradeSavepoint = store.snapshots().list("default", "orders").stream()
                .filter(s -> "upgrade".equals(s.origin)).findFirst().orElse(null);
        switch (upgrade) {
            case "stateful" -> {
                assertThat(upgradeSavepoint).isNotNull();
                assertThat(engine.lastSubmission().restorePath()).isEqualTo(upgradeSavepoint.location);
                assertThat(engine.lastSubmission().parallelism()).isEqualTo(2);
            }
            case "stateless" -> {
                assertThat(upgradeSavepoint).isNull();
                assertThat(engine.cancelled()).contains(v1Job);
                assertThat(engine.lastSubmission().restorePath()).isNull();
                assertThat(engine.lastSubmission().parallelism()).isEqualTo(2);
            }
            default -> {
                assertThat(upgradeSavepoint).isNull();
                assertThat(row().jobId).isEqualTo(v1Job); // the old version keeps running
                assertThat(row().runningVersion).isEqualTo(1);
            }
        }
        engine.runAll();
        reconciler.pass();

        // A checkpoint newer than every savepoint, then the job is lost (the engine restarted).
        clock.advance(Duration.ofMinutes(1));
        RetainedSnapshot checkpoint = retainCheckpoint("chk-9");
        engine.restart();
        reconciler.pass();

        String newestSavepoint = upgradeSavepoint != null ? upgradeSavepoint.location : userSavepoint.location;
        String expected = switch (restore) {
            case "latest-state" -> checkpoint.location();
            case "latest-savepoint" -> newestSavepoint;
            default -> null;
        };
        assertThat(engine.lastSubmission().restorePath()).isEqualTo(expected);
        assertThat(row().runningVersion).as("a new start runs the wanted version").isEqualTo(2);
        assertThat(engine.lastSubmission().parallelism()).isEqualTo(2);
    }
}
