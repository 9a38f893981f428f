package dev.sluice.app;

import dev.sluice.server.TestApi;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code sluice up} as a separate OS process, so tests can kill it the hard way. */
final class SluiceProcess implements AutoCloseable {
    private final Process process;
    final int port;
    final TestApi api;

    private SluiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        this.api = new TestApi("http://127.0.0.1:" + port);
    }

    static SluiceProcess start(Path dataDir, Path log, String... jvmOptions) throws IOException {
        return start(dataDir, log, List.of(), jvmOptions);
    }

    /** {@code sluice up} with more of its options ({@code --demo}) and JVM options. */
    static SluiceProcess start(Path dataDir, Path log, List<String> upOptions, String... jvmOptions) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.addAll(List.of(jvmOptions));
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.addAll(Files.readAllLines(repositoryRoot().resolve("bin/jvm-options")));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SluiceMain.class.getName());
        command.addAll(List.of("up", "--data-dir", dataDir.toString(), "--port", Integer.toString(port)));
        command.addAll(upOptions);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        SluiceProcess sluice = new SluiceProcess(process, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sluice up exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (sluice.api.get("/readyz").status() == 200) {
                    return sluice;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            sleep(100);
        }
        sluice.kill();
        throw new IllegalStateException("sluice up was not ready within 60 s; see " + log);
    }

    /** SIGKILL: no shutdown hook, no savepoint, nothing flushed. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** Waits until the process dies by itself (a fault point halted it); returns its exit code. */
    int awaitDeath(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("sluice up is still alive after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM: the clean shutdown path. */
    int terminate() {
        process.destroy();
        return waitFor();
    }

    private int waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("sluice up did not stop within 60 s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("bin/jvm-options"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root from " + new File("").getAbsolutePath());
        }
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
