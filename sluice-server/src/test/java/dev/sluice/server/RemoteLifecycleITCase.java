package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cluster.FlinkCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle on a remote target: a standalone Flink session cluster of separate JVMs (a JobManager and two
 * TaskManagers), reached over REST only. Only the snapshot directory is shared with Sluice.
 */
class RemoteLifecycleITCase extends LifecycleContract {
    private FlinkCluster cluster;

    @Override
    String target() {
        return "remote";
    }

    @Override
    SluiceServer startServer(Path dataDir) {
        cluster = RemoteClusters.start(dir.resolve("flink"), 2, 2);
        return SluiceServer.start(SluiceConfig.defaults().withDataDir(dataDir.toString()).withPort(0)
                .withTargets(List.of(new SluiceConfig.Target("remote", "flink-session", cluster.restUrl().toString()))));
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
    }
}
