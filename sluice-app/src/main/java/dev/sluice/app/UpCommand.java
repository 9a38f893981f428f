package dev.sluice.app;

import dev.sluice.cli.SluiceCli;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SpecError;
import dev.sluice.server.Demo;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.SluiceServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice up}: runs the control plane with its parts until SIGTERM or Ctrl-C. */
@Command(name = "up", description = SluiceCli.UP_DESCRIPTION, mixinStandardHelpOptions = true)
public final class UpCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(UpCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--demo", description = "Also create demo streams, a ride-request generator and a demo pipeline.")
    boolean demo;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default ./sluice-data).")
    String dataDir;

    @Option(names = "--port", paramLabel = "PORT", description = "API port on 127.0.0.1 (default 8080).")
    Integer port;

    @Option(names = "--config", paramLabel = "FILE", description = "sluice.yaml naming the parts to use.")
    Path config;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SluiceConfig cfg;
        try {
            cfg = config == null ? SluiceConfig.defaults() : SluiceConfig.read(config);
        } catch (InvalidSpecException e) {
            e.errors().forEach(error -> err.println("error: " + describe(error)));
            return 2;
        }
        if (dataDir != null) {
            cfg = cfg.withDataDir(dataDir);
        }
        if (port != null) {
            cfg = cfg.withPort(port);
        }
        Path data = cfg.dataDirectory();
        Files.createDirectories(data);
        // One server per data directory; the OS drops the lock if the process dies, kill -9 included.
        try (FileChannel lockFile = FileChannel.open(data.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                err.println("error: another Sluice runs on the data directory " + data);
                return 1;
            }
            return run(cfg, out, err);
        } catch (IOException e) {
            err.println("error: cannot lock the data directory " + data + ": " + e.getMessage());
            return 1;
        }
    }

    private int run(SluiceConfig cfg, PrintWriter out, PrintWriter err) throws InterruptedException {
        SluiceServer server;
        try {
            server = SluiceServer.start(cfg);
        } catch (InvalidSpecException e) { // config that can only be checked at start, such as store.passwordFile
            e.errors().forEach(error -> err.println("error: " + describe(error)));
            return 2;
        }
        Demo demoParts = demo ? Demo.start(server.streams(), server.deployments(), 50) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Jobs on the embedded cluster stop with the process, and Flink warns at length about every task it
            // tears down; they come back from their newest state at the next start.
            LOG.info("stopping Sluice; jobs on the embedded Flink stop with it and resume from their newest state at "
                    + "the next start, jobs on other targets keep running");
            Configurator.setLevel("org.apache.flink", Level.ERROR);
            Configurator.setLevel("org.apache.pekko", Level.ERROR);
            if (demoParts != null) {
                demoParts.close();
            }
            server.close();
            stopped.countDown();
        }, "sluice-shutdown"));
        out.println("Sluice is up.");
        out.println("  API:    http://127.0.0.1:" + server.port() + "/api/v1   (ready: /readyz, metrics: /metrics)");
        out.println("  Kafka:  " + server.streams().bootstrapServers());
        out.println("  Flink:  " + server.targetsLine());
        out.println("  Data:   " + cfg.dataDirectory());
        if (demo) {
            out.println("  Demo:   pipeline default/ride-demand reads '" + Demo.REQUESTS + "', writes '" + Demo.DEMAND
                    + "'; try: bin/sluice tail " + Demo.DEMAND);
        }
        out.flush();
        stopped.await();
        return 0;
    }

    private static String describe(SpecError error) {
        return error.field() + (error.line() > 0 ? ":" + error.line() + ":" + error.column() : "") + ": "
                + error.message();
    }
}
