package dev.sluice.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What a started cluster looks like, kept in DIR/cluster.properties so that stop, status and restarting a single
 * process know it without being told again.
 */
public record ClusterShape(int taskManagers, int slots, int restPort, int rpcPort) {

    public ClusterShape {
        if (taskManagers < 1) {
            throw new IllegalArgumentException("taskmanagers must be at least 1, was " + taskManagers);
        }
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, was " + slots);
        }
        requirePort("rest-port", restPort);
        requirePort("jobmanager rpc port", rpcPort);
    }

    static void requirePort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " must be between 1 and 65535, was " + port);
        }
    }

    static Optional<ClusterShape> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
            return Optional.of(new ClusterShape(
                    Integer.parseInt(p.getProperty("taskmanagers")),
                    Integer.parseInt(p.getProperty("slots")),
                    Integer.parseInt(p.getProperty("rest.port")),
                    Integer.parseInt(p.getProperty("jobmanager.rpc.port"))));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("taskmanagers", Integer.toString(taskManagers));
        p.setProperty("slots", Integer.toString(slots));
        p.setProperty("rest.port", Integer.toString(restPort));
        p.setProperty("jobmanager.rpc.port", Integer.toString(rpcPort));
        try (Writer out = Files.newBufferedWriter(file)) {
            p.store(out, "bin/flink-cluster: the shape of the cluster last started in this directory");
        }
    }
}
