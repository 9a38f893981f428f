package dev.sluice.engine.flink;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink MiniCluster in Sluice's JVM, reached only through its REST endpoint on loopback: the embedded target is
 * driven exactly like a remote cluster.
 */
public final class EmbeddedFlink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlink.class);
    private final MiniCluster cluster;
    private final URI rest;
    private final Map<String, String> options;

    private EmbeddedFlink(MiniCluster cluster, URI rest, Map<String, String> options) {
        this.cluster = cluster;
        this.rest = rest;
        this.options = options;
    }

    /** Starts a MiniCluster with one TaskManager of {@code slots} slots; its temporary files go under {@code workDir}. */
    public static EmbeddedFlink start(Path workDir, int slots) {
        return start(workDir, slots, Map.of());
    }

    /**
     * As {@link #start(Path, int)}, with Flink options (such as {@code s3.endpoint}) for the cluster and every job on
     * it.
     */
    public static EmbeddedFlink start(Path workDir, int slots, Map<String, String> options) {
        long started = System.nanoTime();
        Configuration conf = JobConfiguration.defaults();
        conf.addAll(Configuration.fromMap(options));
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(org.apache.flink.configuration.CoreOptions.TMP_DIRS, workDir.toAbsolutePath().toString());
        // Job uploads go here; Flink needs an absolute path, and java.io.tmpdir may be relative.
        conf.set(org.apache.flink.configuration.WebOptions.TMP_DIR, workDir.toAbsolutePath().resolve("web").toString());
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("1g"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        try {
            cluster.start();
            URI rest = cluster.getRestAddress().get();
            LOG.info("embedded Flink ({} slots) started in {} ms, REST at {}", slots,
                    (System.nanoTime() - started) / 1_000_000, rest);
            return new EmbeddedFlink(cluster, rest, Map.copyOf(options));
        } catch (Exception e) {
            cluster.closeAsync();
            throw new IllegalStateException("cannot start the embedded Flink cluster", e);
        }
    }

    public URI restAddress() {
        return rest;
    }

    /** The engine for this cluster, under the target name {@code embedded}. */
    public FlinkEngine engine() {
        Configuration base = JobConfiguration.defaults();
        base.addAll(Configuration.fromMap(options));
        return new FlinkEngine("embedded", rest, base);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.warn("embedded Flink did not stop cleanly", e);
        }
    }
}
