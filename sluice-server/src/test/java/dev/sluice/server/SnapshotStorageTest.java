package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.engine.flink.FlinkFileSystems;
import dev.sluice.model.InvalidSpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code snapshots:} of sluice.yaml: the location, entropy on object stores, and the refusal to start without S3. */
class SnapshotStorageTest {
    @TempDir
    Path dir;

    private SluiceConfig config(String yaml) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, "dataDir: " + dir.resolve("data") + "\n" + yaml);
        return SluiceConfig.read(file);
    }

    @Test
    void byDefaultSnapshotsStayUnderTheDataDirectoryWithoutEntropy() throws Exception {
        SnapshotStorage storage = SnapshotStorage.of(config(""));

        assertThat(storage.location()).isEqualTo(dir.resolve("data").resolve("snapshots").toUri().toString()
                .replaceAll("/$", ""));
        assertThat(storage.entropyMarker()).isNull();
        assertThat(storage.flinkConfiguration()).isEmpty();
        assertThat(storage.layout().base()).isEqualTo(storage.location());
    }

    @Test
    void aBareDirectoryBecomesAnAbsoluteFileUri() throws Exception {
        SnapshotStorage relative = SnapshotStorage.of(config("snapshots: {location: snaps/here/}\n"));
        SnapshotStorage absolute = SnapshotStorage.of(config("snapshots: {location: file:///srv/snaps}\n"));

        assertThat(relative.location()).isEqualTo(Path.of("snaps/here").toAbsolutePath().toUri().toString()
                .replaceAll("/$", "")).startsWith("file:///");
        assertThat(absolute.location()).isEqualTo("file:///srv/snaps");
        assertThat(absolute.entropyMarker()).isNull();
    }

    @Test
    void onS3EntropyIsOnByDefaultWithFlinksOptions() throws Exception {
        SnapshotStorage storage = SnapshotStorage.of(config("""
                snapshots: {location: s3://bucket/sluice/}
                flink:
                  configuration: {s3.endpoint: http://minio:9000}
                """));

        assertThat(storage.location()).isEqualTo("s3://bucket/sluice");
        assertThat(storage.entropyMarker()).isEqualTo("_entropy_");
        assertThat(storage.flinkConfiguration()).isEqualTo(Map.of("s3.endpoint", "http://minio:9000",
                "s3.entropy.key", "_entropy_", "s3.entropy.length", "4"));
        assertThat(storage.layout().entropyMarker()).isEqualTo("_entropy_");
    }

    @Test
    void theUsersEntropyOptionsWin() throws Exception {
        SnapshotStorage storage = SnapshotStorage.of(config("""
                snapshots: {location: s3a://bucket/sluice}
                flink:
                  configuration: {s3.entropy.key: __rnd__, s3.entropy.length: '6'}
                """));

        assertThat(storage.entropyMarker()).isEqualTo("__rnd__");
        assertThat(storage.flinkConfiguration()).containsEntry("s3.entropy.key", "__rnd__")
                .containsEntry("s3.entropy.length", "6");
    }

    @Test
    void entropyCanBeSwitchedOff() throws Exception {
        SnapshotStorage storage =
                SnapshotStorage.of(config("snapshots: {location: s3://bucket/sluice, entropy: false}\n"));

        assertThat(storage.entropyMarker()).isNull();
        assertThat(storage.flinkConfiguration()).doesNotContainKey("s3.entropy.key");
    }

    @Test
    void anS3LocationNeedsABucketAndAMarkerItDoesNotContain() {
        assertThatThrownBy(() -> config("snapshots: {location: 's3:///sluice'}\n"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("snapshots.location: needs a bucket");
        assertThatThrownBy(() -> config("snapshots:\n  location: s3://bucket/_entropy_/sluice\n"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("(line 3, ")
                .hasMessageContaining("snapshots.location: the entropy key '_entropy_'");
    }

    @Test
    void withoutTheS3PluginSluiceRefusesToStartNamingWhatIsMissing() throws Exception {
        Path noPlugins = Files.createDirectories(dir.resolve("empty-plugins"));
        String before = System.getProperty(FlinkFileSystems.PLUGINS_DIR_PROPERTY);
        System.setProperty(FlinkFileSystems.PLUGINS_DIR_PROPERTY, noPlugins.toString());
        try {
            SluiceConfig s3 = config("snapshots: {location: s3://bucket/sluice}\nport: 0\n");
            assertThatThrownBy(() -> SluiceServer.start(s3))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("snapshots.location is s3://bucket/sluice")
                    .hasMessageContaining("flink-s3-fs-hadoop")
                    .hasMessageContaining(noPlugins + " has none");
        } finally {
            if (before == null) {
                System.clearProperty(FlinkFileSystems.PLUGINS_DIR_PROPERTY);
            } else {
                System.setProperty(FlinkFileSystems.PLUGINS_DIR_PROPERTY, before);
            }
        }
    }

    @Test
    void aClusterWithoutTheEntropyKeyOrWithAnotherEndpointIsAProblemOnS3() throws Exception {
        SnapshotStorage s3 = SnapshotStorage.of(config("""
                snapshots: {location: s3://bucket/sluice}
                flink:
                  configuration: {s3.endpoint: "http://minio:9000"}
                """));

        assertThat(s3.clusterProblems(Map.of("s3.endpoint", "http://minio:9000", "s3.entropy.key", "_entropy_")))
                .isEmpty();
        assertThat(s3.clusterProblems(Map.of("s3.endpoint", "http://minio:9000")))
                .singleElement().asString().contains("no s3.entropy.key", "snapshots.entropy: false");
        assertThat(s3.clusterProblems(Map.of("s3.entropy.key", "_entropy_")))
                .singleElement().asString().contains("s3.endpoint is not set", "http://minio:9000");
        SnapshotStorage local = SnapshotStorage.of(config(""));
        assertThat(local.clusterProblems(Map.of())).isEmpty();
    }
}
