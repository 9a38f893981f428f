package dev.sluice.bench;

import static dev.sluice.bench.LifecycleBench.awaitTrue;
import static dev.sluice.bench.LifecycleBench.java;
import static dev.sluice.bench.LifecycleBench.median;
import static dev.sluice.bench.LifecycleBench.millisSince;

import dev.sluice.control.store.Store;
import dev.sluice.engine.flink.EmbeddedFlink;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.StoreFactory;
import dev.sluice.streams.kafka.EmbeddedKafka;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * bench/startup: how soon {@code bin/sluice up} answers {@code /readyz} after launch, on a fresh data directory and on
 * a used one holding running deployments, next to each embedded part (metadata store, Kafka broker, Flink) started
 * alone in a JVM of its own. Prints medians and the ratios the core issue sets goals for.
 */
public final class StartupBench {
    private static final Map<String, Pattern> PARTS_IN_LOG = new LinkedHashMap<>();

    static {
        PARTS_IN_LOG.put("store", Pattern.compile("metadata store \\(\\w+\\) ready in (\\d+) ms"));
        PARTS_IN_LOG.put("kafka", Pattern.compile("Embedded Kafka .* in (\\d+) ms"));
        PARTS_IN_LOG.put("flink", Pattern.compile("embedded Flink .* started in (\\d+) ms"));
        PARTS_IN_LOG.put("server", Pattern.compile("Sluice ready in (\\d+) ms"));
    }

    private static final String PIPELINE = """
            apiVersion: sluice.dev/v1
            kind: Pipeline
            metadata:
              name: %s
            spec:
              sql: |
                CREATE TABLE s (k INT, n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '10',
                  'fields.k.min' = '1', 'fields.k.max' = '20');
                CREATE TABLE t (k INT, c BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO t SELECT k, COUNT(*) FROM s GROUP BY k;
            """;

    private StartupBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int deployments = 3;
        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bench-startup");
        Map<String, List<Long>> alone = new LinkedHashMap<>();
        Map<String, List<Long>> sideBySide = new LinkedHashMap<>();
        List<Long> first = new ArrayList<>();
        List<Long> restart = new ArrayList<>();
        try {
            // A start first, not counted: it warms the file cache, and bin/sluice records its class-data archive if
            // the build is newer than the archive.
            Up warmUp = Up.start(work.resolve("warm-up"), work.resolve("warm-up.log"));
            warmUp.stop();
            for (int round = 0; round < rounds; round++) {
                for (String part : List.of("store", "kafka", "flink")) {
                    alone.computeIfAbsent(part, p -> new ArrayList<>())
                            .add(partAlone(part, work.resolve("alone-" + part + "-" + round)));
                }
                Path data = work.resolve("sluice-" + round);
                Path log = work.resolve("sluice-" + round + ".log");
                Up up = Up.start(data, log);
                first.add(up.readyMillis);
                PARTS_IN_LOG.forEach((part, pattern) -> logged(log, pattern)
                        .ifPresent(ms -> sideBySide.computeIfAbsent(part, p -> new ArrayList<>()).add(ms)));
                for (int i = 0; i < deployments; i++) {
                    up.post("/api/v1/namespaces/default/deployments", PIPELINE.formatted("p" + i));
                }
                awaitTrue(() -> up.allRunning(deployments), Duration.ofSeconds(120));
                up.stop();
                Up again = Up.start(data, log);
                restart.add(again.readyMillis);
                awaitTrue(() -> again.allRunning(deployments), Duration.ofSeconds(120));
                again.stop();
                System.out.printf("round %d: first start %d ms, restart with %d deployments %d ms%n", round + 1,
                        first.get(round), deployments, restart.get(round));
            }
        } finally {
            BenchFiles.deleteRecursively(work);
        }
        System.out.printf("%nbench/startup: medians of %d rounds, launch of the JVM to ready (ms); sluice up maps the "
                + "class-data archive bin/sluice records, the parts alone load their classes from the jars%n", rounds);
        System.out.printf("%-36s %12s %18s%n", "part", "alone", "in sluice up");
        for (String part : List.of("store", "kafka", "flink")) {
            System.out.printf("%-36s %12d %18s%n", part, median(alone.get(part)),
                    sideBySide.containsKey(part) ? median(sideBySide.get(part)) : "-");
        }
        long slowest = alone.values().stream().mapToLong(LifecycleBench::median).max().orElse(1);
        long server = sideBySide.containsKey("server") ? median(sideBySide.get("server")) : -1;
        System.out.printf("%-36s %12s %18d%n", "server start to ready (in the JVM)", "", server);
        System.out.printf("%-36s %12d%n", "sluice up, first start", median(first));
        System.out.printf("%-36s %12d%n", "sluice up, restart (" + deployments + " deployments)", median(restart));
        System.out.printf("first start / slowest part alone: %.2f (goal <= 1.2)%n", (double) median(first) / slowest);
        System.out.printf("restart / first start:            %.2f (goal <= 1.2)%n",
                (double) median(restart) / median(first));
    }

    /** Launch of a JVM that starts one part alone, until that part is up (shutting it down is not counted). */
    private static long partAlone(String part, Path dir) throws Exception {
        return LifecycleBench.untilReady(java(PartAlone.class.getName(), part, dir.toString()));
    }

    private static java.util.Optional<Long> logged(Path log, Pattern pattern) {
        try {
            Long last = null;
            for (String line : Files.readAllLines(log)) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    last = Long.parseLong(m.group(1));
                }
            }
            return java.util.Optional.ofNullable(last);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** One embedded part started alone, as {@code sluice up} starts it; prints READY, then waits to be killed. */
    public static final class PartAlone {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[1]);
            Files.createDirectories(dir);
            AutoCloseable part = switch (args[0]) {
                case "store" -> openStore(dir);
                case "kafka" -> EmbeddedKafka.start(dir.resolve("kafka"), 0);
                case "flink" -> EmbeddedFlink.start(dir.resolve("flink-tmp"), 8);
                default -> throw new IllegalArgumentException(args[0]);
            };
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
            part.close();
        }

        private static Store openStore(Path dir) {
            return StoreFactory.open(SluiceConfig.defaults().withDataDir(dir.toString()), Map.of());
        }
    }

    /** {@code bin/sluice up} as the user runs it. */
    private static final class Up {
        final Process process;
        final String base;
        final long readyMillis;

        private Up(Process process, String base, long readyMillis) {
            this.process = process;
            this.base = base;
            this.readyMillis = readyMillis;
        }

        static Up start(Path data, Path log) throws Exception {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            long t0 = System.nanoTime();
            Process process = new ProcessBuilder("bin/sluice", "up", "--data-dir", data.toString(), "--port",
                    Integer.toString(port)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            String base = "http://127.0.0.1:" + port;
            awaitTrue(() -> status(base + "/readyz") == 200, Duration.ofSeconds(120));
            return new Up(process, base, millisSince(t0));
        }

        boolean allRunning(int count) {
            String body = request("GET", "/api/v1/namespaces/default/deployments", null);
            return body.split("\"phase\":\"running\"", -1).length - 1 >= count;
        }

        void post(String path, String yaml) {
            request("POST", path, yaml);
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        private String request(String method, String path, String body) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
                c.setRequestMethod(method);
                if (body != null) {
                    c.setDoOutput(true);
                    c.setRequestProperty("Content-Type", "application/yaml");
                    c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
                }
                int code = c.getResponseCode();
                try (var in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
                    String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    if (code >= 400) {
                        throw new IllegalStateException(method + " " + path + ": HTTP " + code + " " + text);
                    }
                    return text;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private static int status(String url) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
                c.setConnectTimeout(1000);
                return c.getResponseCode();
            } catch (IOException e) {
                return 0;
            }
        }
    }
}
