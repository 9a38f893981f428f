package dev.sluice.server;

import dev.sluice.cluster.FlinkCluster;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

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

    @AfterAll
    void stopCluster() {
        RemoteClusters.stop(cluster);
    }
}
