package dev.sluice.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The Flink configuration of a cluster directory: conf/config.yaml and conf/log4j.properties. */
final class ClusterConfig {

    private static final Pattern PLAIN_YAML = Pattern.compile("[A-Za-z0-9_./:+-]+");

    private ClusterConfig() {}

    /** Everything on loopback, ports random except the JobManager's RPC (TaskManagers must find it) and REST. */
    static Map<String, String> defaults(ClusterDir dir, ClusterShape shape) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(shape.rpcPort()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("jobmanager.memory.process.size", "1024m");
        c.put("jobmanager.execution.failover-strategy", "region");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(shape.slots()));
        c.put("taskmanager.memory.process.size", "1536m");
        c.put("parallelism.default", "1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(shape.restPort()));
        // A killed process is noticed in seconds, not Flink's default 50 s: failover tests and demos stay quick.
        c.put("heartbeat.interval", "1s");
        c.put("heartbeat.timeout", "5s");
        c.put("io.tmp.dirs", dir.tmp().toString());
        c.put("execution.checkpointing.dir", dir.root().resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", dir.root().resolve("savepoints").toUri().toString());
        return c;
    }

    static void write(ClusterDir dir, ClusterShape shape, Map<String, String> overrides) throws IOException {
        Map<String, String> entries = defaults(dir, shape);
        entries.putAll(overrides);
        StringBuilder yaml = new StringBuilder()
                .append("# Written by bin/flink-cluster at every fresh start; restarts of single processes reuse it.\n");
        entries.forEach((key, value) -> yaml.append(key).append(": ").append(yamlScalar(value)).append('\n'));
        Files.writeString(dir.conf().resolve("config.yaml"), yaml);
        try (InputStream log4j = ClusterConfig.class.getResourceAsStream("log4j.properties")) {
            if (log4j == null) {
                throw new IllegalStateException("log4j.properties is missing from the sluice-flink-cluster jar");
            }
            Files.copy(log4j, dir.conf().resolve("log4j.properties"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String yamlScalar(String value) {
        return PLAIN_YAML.matcher(value).matches() ? value : "'" + value.replace("'", "''") + "'";
    }
}
