package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cluster.FlinkCluster;
import dev.sluice.control.store.PostgresDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle in the scale-out shape: jobs on a standalone Flink session cluster of separate JVMs (a JobManager and
 * two TaskManagers, reached over REST only), metadata in PostgreSQL, checkpoints and savepoints on an S3-compatible
 * object store with entropy injection. Sluice and the cluster share nothing but the bucket.
 */
class RemoteLifecycleITCase extends LifecycleContract {
    private static final String BUCKET = "scale-out";
    private FlinkCluster cluster;
    private PostgresDatabases postgres;
    private S3ProxyServer s3;

    @Override
    String target() {
        return "remote";
    }

    @Override
    SluiceServer startServer(Path dataDir) {
        try {
            s3 = S3ProxyServer.start(dir.resolve("s3"));
            s3.createBucket(BUCKET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, String> s3Options = Map.of(
                "s3.endpoint", s3.endpoint(),
                "s3.path.style.access", "true",
                "s3.access-key", S3ProxyServer.ACCESS_KEY,
                "s3.secret-key", S3ProxyServer.SECRET_KEY,
                SnapshotStorage.ENTROPY_KEY, SnapshotStorage.DEFAULT_ENTROPY_KEY,
                SnapshotStorage.ENTROPY_LENGTH, SnapshotStorage.DEFAULT_ENTROPY_LENGTH);
        // The cluster's own file systems need the same S3 options: a job's options cannot configure them.
        cluster = RemoteClusters.start(dir.resolve("flink"), 2, 2, s3Options);
        postgres = PostgresDatabases.start();
        String url = postgres.url(postgres.createDatabase());
        Path passwordFile = dir.resolve("pg-password");
        try {
            java.nio.file.Files.writeString(passwordFile, PostgresDatabases.PASSWORD + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SluiceServer.start(SluiceConfig.defaults().withDataDir(dataDir.toString()).withPort(0)
                .withTargets(List.of(new SluiceConfig.Target("remote", "flink-session", cluster.restUrl().toString())))
                .withStore(new SluiceConfig.StoreConfig("postgres", url, PostgresDatabases.USER, passwordFile.toString()))
                .withSnapshots(new SluiceConfig.Snapshots("s3://" + BUCKET + "/sluice", null))
                .withFlinkConfiguration(s3Options));
    }

    @Test
    void everyPartIsTheScaleOutOne() {
        JsonNode info = api.get("/api/v1/info").json();
        assertThat(info.path("store").path("type").asText()).isEqualTo("postgres");
        assertThat(info.path("snapshots").path("location").asText()).isEqualTo("s3://" + BUCKET + "/sluice");
        JsonNode remote = info.path("targets").get(1);
        assertThat(remote.path("name").asText()).isEqualTo("remote");
        assertThat(remote.path("type").asText()).isEqualTo("flink-session");
        assertThat(remote.path("reachableAtStart").asBoolean()).isTrue();
        assertThat(remote.path("problems")).as(remote.toString()).isEmpty();
        assertThat(server.targetsLine()).endsWith(" ; remote " + remote.path("rest").asText());
    }

    @Test
    void aPipelineMovesBetweenTargetsWithItsState() {
        KeyedCounts onEmbedded = new KeyedCounts("counts-move", 600, 30).on("embedded");
        String kafka = server.streams().bootstrapServers();
        server.streams().ensureTopic(onEmbedded.output(), 1);
        assertThat(api.post("/api/v1/namespaces/default/deployments", onEmbedded.yaml()).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("counts-move").equals("running"));
        await().atMost(Duration.ofSeconds(60)).until(() -> onEmbedded.countedInputs(kafka) >= 60);

        String toRemote = new KeyedCounts("counts-move", 600, 30).on("remote").yaml();
        JsonNode diff = api.post("/api/v1/namespaces/default/deployments/counts-move/diff", toRemote).json();
        assertThat(diff.path("action").asText()).isEqualTo("stateful-upgrade");
        assertThat(api.post("/api/v1/namespaces/default/deployments", toRemote).json().path("version").asInt())
                .isEqualTo(2);
        await().atMost(Duration.ofSeconds(90)).until(() -> api.deployment("counts-move").path("status")
                .path("version").asInt() == 2 && api.phase("counts-move").equals("running"));
        assertThat(api.deployment("counts-move").path("status").path("restoredFrom").asText()).contains("savepoint");
        await().atMost(Duration.ofSeconds(90)).until(() -> api.phase("counts-move").equals("finished"));
        assertThat(onEmbedded.committed(kafka)).isEqualTo(KeyedCounts.expected(600));
        assertThat(api.get("/api/v1/namespaces/default/deployments/counts-move/events").body())
                .contains("to remote", "UpgradeSavepoint");
    }

    @Override
    void stopParts() {
        RemoteClusters.stop(cluster);
        if (postgres != null) {
            postgres.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }
}
