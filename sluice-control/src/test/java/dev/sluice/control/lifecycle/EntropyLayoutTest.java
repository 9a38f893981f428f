package dev.sluice.control.lifecycle;

import dev.sluice.control.snapshots.SnapshotLayout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.store.SnapshotRow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle on an object store with entropy injection: jobs get the checkpoint directory with the marker, and
 * every look-up of retained checkpoints goes where Flink writes their {@code _metadata}, without it.
 */
class EntropyLayoutTest extends LifecycleFixture {
    private static final SnapshotLayout S3 = SnapshotLayout.withEntropy("s3://bucket/sluice", "_entropy_");
    private static final String NEW_SQL = YAML.replace("SELECT * FROM orders", "SELECT id, amount FROM orders");

    @Override
    SnapshotLayout layout() {
        return S3;
    }

    @Test
    void jobsWriteCheckpointsUnderTheMarker() {
        running();

        assertThat(engine.lastSubmission().checkpointDirectory())
                .isEqualTo("s3://bucket/sluice/_entropy_/checkpoints/default/orders-" + row().uid.substring(0, 8));
    }

    @Test
    void aLostJobRestartsFromTheCheckpointFoundWithoutTheMarker() {
        running();
        RetainedSnapshot checkpoint = retainCheckpoint("chk-4");
        assertThat(checkpoint.location()).startsWith("s3://bucket/sluice/checkpoints/default/orders-");
        reconciler.pass();
        assertThat(row().hasState).as("the checkpoint was seen").isTrue();

        engine.restart();
        reconciler.pass();

        assertThat(engine.lastSubmission().restorePath()).isEqualTo(checkpoint.location());
        assertThat(engine.lastSubmission().checkpointDirectory()).contains("/_entropy_/checkpoints/");
        assertThat(row().restoredFrom).isEqualTo(checkpoint.location());
    }

    @Test
    void anUpgradeThatCannotSavepointFallsBackToTheCheckpointFoundWithoutTheMarker() {
        String oldJob = running();
        RetainedSnapshot checkpoint = retainCheckpoint("chk-5");
        clock.advance(Duration.ofMinutes(1));
        engine.restartJob(oldJob);

        service.apply(NEW_SQL, "default", "alice");
        reconciler.pass();

        assertThat(engine.lastSubmission().restorePath()).isEqualTo(checkpoint.location());
        assertThat(reasons()).contains("UpgradeFromCheckpoint").doesNotContain("UpgradeRefused");
    }

    @Test
    void savepointsGoWhereTheyAlwaysGo() {
        running();

        SnapshotRow savepoint = userSnapshot();

        assertThat(savepoint.targetDir).isEqualTo("s3://bucket/sluice/savepoints/default/orders/" + savepoint.id);
        assertThat(savepoint.location).startsWith(savepoint.targetDir);
    }
}
