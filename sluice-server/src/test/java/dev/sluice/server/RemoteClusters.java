package dev.sluice.server;

import dev.sluice.cluster.FlinkCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Starts and stops the standalone Flink clusters (separate JVMs, from Maven jars) that remote-target tests use. */
final class RemoteClusters {
    private RemoteClusters() {}

    static FlinkCluster start(Path dir, int taskManagers, int slots) {
        return start(dir, taskManagers, slots, Map.of());
    }

    /** A cluster with these Flink options in its config.yaml (for its file systems: s3.endpoint and the like). */
    static FlinkCluster start(Path dir, int taskManagers, int slots, Map<String, String> options) {
        FlinkCluster cluster = FlinkCluster.at(dir);
        for (Map.Entry<String, String> option : options.entrySet()) {
            cluster = cluster.withConfig(option.getKey(), option.getValue());
        }
        try {
            cluster.start(taskManagers, slots, freePort());
            cluster.awaitReady(Duration.ofSeconds(120));
            return cluster;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a Flink cluster in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void stop(FlinkCluster cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.stop();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop the Flink cluster in " + cluster.dir(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
