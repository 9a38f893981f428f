package dev.sluice.control.snapshots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.model.DeploymentKey;
import org.junit.jupiter.api.Test;

/** The snapshot layout, and where the entropy marker goes on an object store and where it never goes. */
class SnapshotLayoutTest {
    private static final DeploymentKey KEY = new DeploymentKey("marketplace", "ride-demand");
    private static final String UID = "0123456789abcdef0123456789abcdef";

    @Test
    void aLocalBaseHasTheSameCheckpointDirectoryForFlinkAndForLookups() {
        SnapshotLayout layout = SnapshotLayout.withEntropy("file:///var/sluice/snapshots/", "_entropy_");

        assertThat(layout.entropyMarker()).isNull();
        assertThat(layout.base()).isEqualTo("file:///var/sluice/snapshots");
        assertThat(layout.checkpointDirectory(KEY, UID))
                .isEqualTo("file:///var/sluice/snapshots/checkpoints/marketplace/ride-demand-01234567")
                .isEqualTo(layout.retainedCheckpointDirectory(KEY, UID));
        assertThat(layout.savepointDirectory(KEY, "snap-1"))
                .isEqualTo("file:///var/sluice/snapshots/savepoints/marketplace/ride-demand/snap-1");
    }

    @Test
    void onS3TheMarkerLeadsTheCheckpointDirectoryRightAfterTheBase() {
        SnapshotLayout layout = SnapshotLayout.withEntropy("s3://bucket/sluice", "_entropy_");

        assertThat(layout.checkpointDirectory(KEY, UID))
                .isEqualTo("s3://bucket/sluice/_entropy_/checkpoints/marketplace/ride-demand-01234567");
        assertThat(layout.retainedCheckpointDirectory(KEY, UID))
                .isEqualTo("s3://bucket/sluice/checkpoints/marketplace/ride-demand-01234567");
    }

    @Test
    void lookupsFindMetadataWhereFlinkPutsIt() {
        SnapshotLayout layout = SnapshotLayout.withEntropy("s3://bucket/sluice", "_x_");
        String givenToFlink = layout.checkpointDirectory(KEY, UID);

        // Flink drops the first occurrence of the marker for _metadata, and the empty segment with it.
        String metadataDirectory = givenToFlink.replaceFirst("_x_", "").replace("sluice//", "sluice/");
        assertThat(layout.retainedCheckpointDirectory(KEY, UID)).isEqualTo(metadataDirectory);
    }

    @Test
    void switchingEntropyOnOrOffKeepsWhereRetainedCheckpointsAreFound() {
        SnapshotLayout with = SnapshotLayout.withEntropy("s3://bucket/sluice", "_entropy_");
        SnapshotLayout without = new SnapshotLayout("s3://bucket/sluice");

        assertThat(with.retainedCheckpointDirectory(KEY, UID))
                .isEqualTo(without.retainedCheckpointDirectory(KEY, UID))
                .isEqualTo(without.checkpointDirectory(KEY, UID));
        assertThat(with.checkpointDirectory(KEY, UID)).isNotEqualTo(without.checkpointDirectory(KEY, UID));
    }

    @Test
    void savepointsNeverCarryTheMarker() {
        SnapshotLayout layout = SnapshotLayout.withEntropy("s3://bucket/sluice/", "_entropy_");

        assertThat(layout.savepointDirectory(KEY, "snap-1"))
                .isEqualTo("s3://bucket/sluice/savepoints/marketplace/ride-demand/snap-1")
                .doesNotContain("_entropy_");
    }

    @Test
    void everySchemeOfFlinksS3FileSystemsIsAnObjectStore() {
        assertThat(SnapshotLayout.isObjectStore("s3://b/p")).isTrue();
        assertThat(SnapshotLayout.isObjectStore("s3a://b/p")).isTrue();
        assertThat(SnapshotLayout.isObjectStore("s3p://b/p")).isTrue();
        assertThat(SnapshotLayout.isObjectStore("S3://b/p")).isTrue();
        assertThat(SnapshotLayout.isObjectStore("file:///s3/p")).isFalse();
        assertThat(SnapshotLayout.isObjectStore("hdfs://nn/s3")).isFalse();
        assertThat(SnapshotLayout.isObjectStore("/var/s3://x")).isFalse();
        assertThat(SnapshotLayout.withEntropy("hdfs://nn/snapshots", "_entropy_").entropyMarker()).isNull();
        assertThat(SnapshotLayout.withEntropy("s3a://b/p", "_entropy_").entropyMarker()).isEqualTo("_entropy_");
    }

    @Test
    void noMarkerMeansNoEntropy() {
        assertThat(SnapshotLayout.withEntropy("s3://bucket/sluice", null).checkpointDirectory(KEY, UID))
                .isEqualTo("s3://bucket/sluice/checkpoints/marketplace/ride-demand-01234567");
        assertThat(new SnapshotLayout("s3://bucket/sluice", "").entropyMarker()).isNull();
    }

    @Test
    void aMarkerThatFlinkWouldFindElsewhereIsRefused() {
        assertThatThrownBy(() -> SnapshotLayout.withEntropy("s3://bucket/_entropy_/sluice", "_entropy_"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("_entropy_").hasMessageContaining("s3://bucket/_entropy_/sluice");
        assertThatThrownBy(() -> SnapshotLayout.withEntropy("s3://bucket/sluice", "a/b"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
