package dev.sluice.streams.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one) inside this JVM, on loopback only, keeping its data and
 * its port across restarts on the same log directory.
 */
public final class EmbeddedKafka extends KafkaStreamStorage {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** The only interface the broker listens on. */
    public static final String HOST = "127.0.0.1";

    /** File in the log directory that remembers the ports chosen for {@code port == 0}. */
    public static final String PORTS_FILE = "sluice-kafka-ports.properties";

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String KEY_PORT = "port";
    private static final String KEY_CONTROLLER_PORT = "controller.port";

    private final KafkaRaftServer server;
    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, Path logDir, int port, int controllerPort) {
        super(HOST + ":" + port);
        this.server = server;
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Starts the broker on {@code logDir} (created and formatted if needed) and returns once it serves clients.
     *
     * @param port the client port; 0 reuses the port remembered in the log directory, or picks a free one the first
     *     time (and a new one, with a warning, if the remembered one is taken)
     */
    public static EmbeddedKafka start(Path logDir, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        long started = System.nanoTime();
        Path dir = logDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create Kafka log directory " + dir, e);
        }
        Properties remembered = readPorts(dir);
        int brokerPort = port != 0 ? port : reuseOrPick(remembered, KEY_PORT, "client", -1);
        int ctlPort = reuseOrPick(remembered, KEY_CONTROLLER_PORT, "controller", brokerPort);

        KafkaConfig config = new KafkaConfig(serverProperties(dir, brokerPort, ctlPort), false);
        boolean formatted = Files.exists(dir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME));
        if (!formatted) {
            format(dir);
        }
        writePorts(dir, brokerPort, ctlPort);

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException | Error e) {
            stopQuietly(server);
            throw new IllegalStateException("Embedded Kafka failed to start on " + HOST + ":" + brokerPort
                    + " with log directory " + dir, e);
        }
        LOG.info("Embedded Kafka {} at {}:{} (controller port {}, log dir {}) in {} ms",
                formatted ? "restarted" : "started fresh", HOST, brokerPort, ctlPort, dir,
                (System.nanoTime() - started) / 1_000_000);
        return new EmbeddedKafka(server, dir, brokerPort, ctlPort);
    }

    /** The client port (as in {@link #bootstrapServers()}). */
    public int port() {
        return port;
    }

    /** The KRaft controller's port; internal to the node, clients never use it. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The directory holding the metadata log, the topics' data and the remembered ports. */
    public Path logDir() {
        return logDir;
    }

    /** Closes the admin client, then shuts the broker down and waits until it has stopped. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            super.close();
        } finally {
            server.shutdown();
            server.awaitShutdown();
        }
        LOG.info("Embedded Kafka at {}:{} stopped in {} ms", HOST, port, (System.nanoTime() - t0) / 1_000_000);
    }

    private static Map<String, String> serverProperties(Path dir, int brokerPort, int ctlPort) {
        // Strings throughout, as in server.properties: typed values must match each key's exact type (short, int).
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        // Static quorum: the voter set lives in the config, not the log, so the controller port may change.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + ctlPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + ctlPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        // One node: every internal topic must live with a single replica, or transactions and groups never work.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // Flink's exactly-once sink asks for one-hour transactions; the broker default allows 15 minutes.
        p.put("transaction.max.timeout.ms", "3600000");
        // After a kill -9 the restarted broker waits out its old session before it is unfenced: keep that short.
        p.put("broker.session.timeout.ms", "2000");
        p.put("broker.heartbeat.interval.ms", "500");
        return p;
    }

    private static void format(Path dir) {
        String clusterId = Uuid.randomUuid().toString();
        // The formatter prints to a stream; keep its chatter in our log instead of stdout.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .addDirectory(dir.toString())
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + dir, e);
        }
        LOG.info("Formatted Kafka storage in {} (cluster id {})", dir, clusterId);
        LOG.debug("Formatter output: {}", out.toString(StandardCharsets.UTF_8).strip());
    }

    /** The remembered port if it is still free, otherwise a new free one; never {@code avoid}. */
    private static int reuseOrPick(Properties remembered, String key, String what, int avoid) {
        String value = remembered.getProperty(key);
        if (value != null) {
            int old = Integer.parseInt(value.strip());
            if (old != avoid && isFree(old)) {
                return old;
            }
            int fresh = freePort(avoid);
            LOG.warn("Embedded Kafka's {} port {} is taken; using {} instead", what, old, fresh);
            return fresh;
        }
        return freePort(avoid);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Same binding as the broker's acceptor, so lingering TIME_WAIT sockets of our last run don't count.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(int avoid) {
        for (int attempt = 0; attempt < 10; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                int p = socket.getLocalPort();
                if (p != avoid) {
                    return p;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
            }
        }
        throw new IllegalStateException("Cannot find a free port on " + HOST);
    }

    private static Properties readPorts(Path dir) {
        Properties props = new Properties();
        Path file = dir.resolve(PORTS_FILE);
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException e) {
                LOG.warn("Cannot read {}; choosing new ports", file, e);
            }
        }
        return props;
    }

    private static void writePorts(Path dir, int brokerPort, int ctlPort) {
        Properties props = new Properties();
        props.setProperty(KEY_PORT, Integer.toString(brokerPort));
        props.setProperty(KEY_CONTROLLER_PORT, Integer.toString(ctlPort));
        Path file = dir.resolve(PORTS_FILE);
        Path tmp = dir.resolve(PORTS_FILE + ".tmp");
        // Write then rename, so a crash never leaves a half-written file behind.
        try (OutputStream out = Files.newOutputStream(tmp)) {
            props.store(out, "Ports of the embedded Kafka; reused on restart");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + tmp, e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException | Error e) {
            LOG.warn("Error while stopping Kafka after a failed start", e);
        }
    }
}
