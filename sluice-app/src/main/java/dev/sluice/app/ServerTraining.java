package dev.sluice.app;

import dev.sluice.model.DeploymentKey;
import dev.sluice.model.Phase;
import dev.sluice.server.Demo;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.SluiceServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Starts Sluice with the demo on a scratch data directory, waits until the demo pipeline runs, and stops, so that
 * {@code bin/sluice} can record the classes a start loads into a class-data-sharing archive
 * ({@code -XX:ArchiveClassesAtExit}): later starts map them instead of loading and verifying thousands of classes,
 * which takes about 40% off the time to ready on two cores.
 */
public final class ServerTraining {
    private ServerTraining() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of(args[0])), "sluice-training");
        // What `sluice up` does before the server starts: its command line is built and read (not run).
        String[] up = {"up", "--demo", "--data-dir", dir.toString(), "--port", "0"};
        SluiceMain.commandLine(up).parseArgs(up);
        try (SluiceServer server = SluiceServer.start(SluiceConfig.defaults().withDataDir(dir.toString()).withPort(0));
                Demo demo = Demo.start(server.streams(), server.deployments(), 50)) {
            DeploymentKey key = new DeploymentKey("default", "ride-demand");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline && !server.store().deployments().find(key)
                    .map(d -> d.phase == Phase.RUNNING).orElse(false)) {
                Thread.sleep(200);
            }
        } finally {
            deleteRecursively(dir);
        }
        System.exit(0);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
