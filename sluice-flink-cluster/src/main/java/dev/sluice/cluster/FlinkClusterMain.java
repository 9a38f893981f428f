package dev.sluice.cluster;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** bin/flink-cluster: start, stop and inspect a real Flink session cluster on 127.0.0.1. */
@Command(name = "flink-cluster", mixinStandardHelpOptions = true,
        subcommands = {FlinkClusterMain.Start.class, FlinkClusterMain.Stop.class, FlinkClusterMain.Status.class},
        description = {"A real standalone Flink session cluster on 127.0.0.1 (a JobManager and TaskManagers as separate"
                + " processes), its config, logs and pid files under one directory."})
public final class FlinkClusterMain implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new FlinkClusterMain())
                .setParameterExceptionHandler((e, args) -> {
                    PrintWriter err = e.getCommandLine().getErr();
                    err.println("error: " + e.getMessage());
                    err.println("usage: " + e.getCommandLine().getHelp().synopsis(0).trim()
                            + " (--help for more)");
                    return 2;
                })
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    cmd.getErr().println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                    return 1;
                });
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: start, stop or status");
    }

    /** The directory option every command shares. */
    static final class DirOption {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "flink-cluster",
                description = "The cluster's directory: conf/, log/, pid/ (default: ${DEFAULT-VALUE}).")
        Path dir;

        FlinkCluster cluster() {
            return FlinkCluster.at(dir);
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start the cluster and wait until every TaskManager has registered. Does nothing if it runs.")
    static final class Start implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DirOption dir;

        @Option(names = "--taskmanagers", paramLabel = "N", defaultValue = "" + FlinkCluster.DEFAULT_TASKMANAGERS,
                description = "Number of TaskManager processes (default: ${DEFAULT-VALUE}).")
        int taskManagers;

        @Option(names = "--slots", paramLabel = "S", defaultValue = "" + FlinkCluster.DEFAULT_SLOTS,
                description = "Task slots per TaskManager (default: ${DEFAULT-VALUE}).")
        int slots;

        @Option(names = "--rest-port", paramLabel = "P", defaultValue = "" + FlinkCluster.DEFAULT_REST_PORT,
                description = "Port of the REST API and web UI on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
        int restPort;

        @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
                description = "A Flink option for conf/config.yaml, e.g. -D restart-strategy.type=none (repeatable).")
        Map<String, String> flinkConfig = new LinkedHashMap<>();

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "120",
                description = "How long to wait for the cluster to be ready; 0 returns at once (default: ${DEFAULT-VALUE}).")
        int waitSeconds;

        @Override
        public Integer call() throws Exception {
            require(taskManagers >= 1, "--taskmanagers must be at least 1");
            require(slots >= 1, "--slots must be at least 1");
            require(restPort >= 1 && restPort <= 65535, "--rest-port must be between 1 and 65535");
            require(waitSeconds >= 0, "--wait must not be negative");
            FlinkCluster cluster = dir.cluster();
            for (Map.Entry<String, String> option : flinkConfig.entrySet()) {
                require(!option.getKey().isBlank() && !option.getValue().isEmpty(),
                        "-D needs KEY=VALUE, got '" + option.getKey() + "'");
                cluster = cluster.withConfig(option.getKey(), option.getValue());
            }
            long began = System.nanoTime();
            FlinkCluster.StartOutcome outcome = cluster.start(taskManagers, slots, restPort);
            ClusterShape shape = cluster.shape().orElseThrow();
            PrintWriter out = spec.commandLine().getOut();
            if (outcome == FlinkCluster.StartOutcome.ALREADY_RUNNING) {
                out.println("Already running: " + describe(shape) + ".");
                if (shape.taskManagers() != taskManagers || shape.slots() != slots || shape.restPort() != restPort) {
                    out.println("(Asked for " + taskManagers + " taskmanagers x " + slots + " slots on port " + restPort
                            + "; run 'stop' first to change it.)");
                }
                warnKeptConfiguration(out);
                return 0;
            }
            if (outcome == FlinkCluster.StartOutcome.REPAIRED) {
                warnKeptConfiguration(out);
            }
            if (waitSeconds > 0) {
                try {
                    cluster.awaitReady(Duration.ofSeconds(waitSeconds));
                } catch (IllegalStateException e) {
                    List<Member> stopped = cluster.stop();
                    throw new IllegalStateException(e.getMessage() + "\nStopped " + stopped + "; logs are in "
                            + cluster.dir().resolve("log"), e);
                }
            }
            out.printf(Locale.ROOT, "%s %s in %.1f s. Logs: %s%n",
                    outcome == FlinkCluster.StartOutcome.STARTED ? "Started" : "Restarted the missing processes of",
                    describe(shape), (System.nanoTime() - began) / 1e9, cluster.dir().resolve("log"));
            return 0;
        }

        /** -D options are written at a fresh start only: a running cluster keeps the configuration it started with. */
        private void warnKeptConfiguration(PrintWriter out) {
            if (!flinkConfig.isEmpty()) {
                out.println("(The -D options were not applied: the running processes keep "
                        + dir.dir.resolve("conf").resolve("config.yaml") + " as it was at the start; run 'stop' first.)");
            }
        }

        private void require(boolean ok, String message) {
            if (!ok) {
                throw new ParameterException(spec.commandLine(), message);
            }
        }

        private static String describe(ClusterShape shape) {
            return "Flink session cluster at " + FlinkCluster.restUrl(shape.restPort()) + " with 1 jobmanager and "
                    + shape.taskManagers() + " taskmanager" + (shape.taskManagers() == 1 ? "" : "s") + " x "
                    + shape.slots() + " slot" + (shape.slots() == 1 ? "" : "s");
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop every process of the cluster (SIGTERM, then SIGKILL after 30 s).")
    static final class Stop implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DirOption dir;

        @Override
        public Integer call() throws Exception {
            List<Member> stopped = dir.cluster().stop();
            spec.commandLine().getOut().println(stopped.isEmpty()
                    ? "No Flink cluster running in " + dir.cluster().dir() + "."
                    : "Stopped " + String.join(", ", stopped.stream().map(Member::name).toList()) + ".");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the cluster's processes and what its REST API reports. Exit code 0 if it runs, else 1.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DirOption dir;

        @Override
        public Integer call() {
            ClusterStatus status = dir.cluster().status();
            PrintWriter out = spec.commandLine().getOut();
            out.print(status.describe());
            out.flush();
            return status.state() == ClusterStatus.State.RUNNING ? 0 : 1;
        }
    }
}
