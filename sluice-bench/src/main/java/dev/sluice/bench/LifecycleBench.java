package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.lifecycle.JobIds;
import dev.sluice.engine.flink.EmbeddedFlink;
import dev.sluice.engine.flink.FlinkEngine;
import dev.sluice.model.Json;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.SpecParser;
import dev.sluice.server.Demo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * bench/lifecycle: how long Sluice takes to start, to bring the demo pipeline to running, to suspend and to resume it,
 * against the same steps done by hand on the same parts (a KRaft broker and a MiniCluster started directly; the same
 * compiled plan submitted, stopped with a savepoint and restored through Flink's REST client). Prints medians and the
 * ratio Sluice / by hand.
 */
public final class LifecycleBench {
    private static final Duration POLL = Duration.ofMillis(10);
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path work;
    private final int rounds;

    private LifecycleBench(Path work, int rounds) {
        this.work = work;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bench-lifecycle");
        try {
            new LifecycleBench(work, rounds).run();
        } finally {
            BenchFiles.deleteRecursively(work);
        }
    }

    private void run() throws Exception {
        List<Long> plainStart = new ArrayList<>();
        List<Long> coldStart = new ArrayList<>();
        List<Long> warmStart = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            plainStart.add(startPlainParts(work.resolve("plain-" + i)));
            Path data = work.resolve("sluice-" + i);
            Sluice cold = Sluice.start(data, this);
            coldStart.add(cold.startMillis);
            cold.stop();
            Sluice warm = Sluice.start(data, this);
            warmStart.add(warm.startMillis);
            warm.stop();
        }

        List<Long> sluiceApply = new ArrayList<>();
        List<Long> sluiceSuspend = new ArrayList<>();
        List<Long> sluiceResume = new ArrayList<>();
        List<Long> plainSubmit = new ArrayList<>();
        List<Long> plainStop = new ArrayList<>();
        List<Long> plainRestore = new ArrayList<>();
        Sluice sluice = Sluice.start(work.resolve("sluice-ops"), this, "--demo");
        try (EmbeddedFlink flink = EmbeddedFlink.start(work.resolve("plain-flink"), 8);
                FlinkEngine engine = flink.engine()) {
            String kafka = sluice.get("/api/v1/info").path("kafka").path("bootstrapServers").asText();
            awaitTrue(() -> "running".equals(sluice.phase("ride-demand")), Duration.ofSeconds(60));
            PipelineSpec spec = new SpecParser().parse(Demo.pipeline()).document().spec();
            CompiledPipeline plan = engine.compile(PipelineSpec.ofSql(
                    spec.sql().replace("${kafka.bootstrapServers}", kafka)));
            for (int i = 0; i < rounds; i++) {
                String name = "demand-" + i;
                String yaml = Demo.pipeline().replace("name: ride-demand", "name: " + name);
                long t0 = System.nanoTime();
                sluice.post("/api/v1/namespaces/default/deployments", yaml);
                awaitTrue(() -> "running".equals(sluice.phase(name)), Duration.ofSeconds(60));
                sluiceApply.add(millisSince(t0));
                Thread.sleep(1000);
                t0 = System.nanoTime();
                sluice.post("/api/v1/namespaces/default/deployments/" + name + "/suspend", "");
                awaitTrue(() -> "suspended".equals(sluice.phase(name)), Duration.ofSeconds(60));
                sluiceSuspend.add(millisSince(t0));
                t0 = System.nanoTime();
                sluice.post("/api/v1/namespaces/default/deployments/" + name + "/resume", "");
                awaitTrue(() -> "running".equals(sluice.phase(name)), Duration.ofSeconds(60));
                sluiceResume.add(millisSince(t0));
                sluice.delete("/api/v1/namespaces/default/deployments/" + name);

                String uid = UUID.randomUUID().toString();
                String checkpoints = work.resolve("plain-checkpoints").toUri().toString();
                String first = JobIds.of(uid, 1);
                t0 = System.nanoTime();
                engine.submit(submission(first, plan, checkpoints, null));
                awaitTrue(() -> engine.observe(first).state() == JobState.RUNNING, Duration.ofSeconds(60));
                plainSubmit.add(millisSince(t0));
                Thread.sleep(1000);
                t0 = System.nanoTime();
                String savepoint = engine.stopWithSavepoint(first, work.resolve("plain-sp-" + i).toUri().toString());
                plainStop.add(millisSince(t0));
                String second = JobIds.of(uid, 2);
                t0 = System.nanoTime();
                engine.submit(submission(second, plan, checkpoints, savepoint));
                awaitTrue(() -> engine.observe(second).state() == JobState.RUNNING, Duration.ofSeconds(60));
                plainRestore.add(millisSince(t0));
                engine.cancel(second);
            }
        } finally {
            sluice.stop();
        }

        System.out.printf("bench/lifecycle: medians of %d rounds; 'by hand' is the same step on the same parts "
                + "without Sluice%n", rounds);
        System.out.printf("%-34s %10s %10s %7s%n", "step", "sluice ms", "by hand ms", "ratio");
        row("start to ready (cold) vs parts", coldStart, plainStart);
        row("start to ready (warm) vs parts", warmStart, plainStart);
        row("apply to running vs submit", sluiceApply, plainSubmit);
        row("suspend vs stop-with-savepoint", sluiceSuspend, plainStop);
        row("resume to running vs restore", sluiceResume, plainRestore);
    }

    private static void row(String step, List<Long> sluice, List<Long> plain) {
        long s = median(sluice);
        long p = median(plain);
        System.out.printf("%-34s %10d %10d %7.2f%n", step, s, p, p == 0 ? 0.0 : (double) s / p);
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static JobSubmission submission(String id, CompiledPipeline plan, String checkpoints, String restore) {
        return new JobSubmission(id, "bench", plan, 2, Duration.ofSeconds(10), checkpoints, restore, false, Map.of());
    }

    private long startPlainParts(Path dir) throws Exception {
        return untilReady(java(PlainParts.class.getName(), dir.toString()));
    }

    /**
     * Launches {@code command}, a JVM that prints READY once what it starts is up; the time from launch to that line
     * (stopping it is not counted).
     */
    static long untilReady(List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                // wait for it
            }
            long elapsed = millisSince(t0);
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException(String.join(" ", command.subList(command.size() - 2, command.size()))
                        + " did not start");
            }
            return elapsed;
        }
    }

    static List<String> java(String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.addAll(Files.readAllLines(Path.of("bin/jvm-options")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** A {@code sluice up} process and a tiny client of its API. */
    static final class Sluice {
        final Process process;
        final String base;
        final long startMillis;
        final HttpClient http;

        private Sluice(Process process, String base, long startMillis, HttpClient http) {
            this.process = process;
            this.base = base;
            this.startMillis = startMillis;
            this.http = http;
        }

        static Sluice start(Path data, LifecycleBench bench, String... extra) throws Exception {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            List<String> args = new ArrayList<>(List.of("up", "--data-dir", data.toString(), "--port",
                    Integer.toString(port)));
            args.addAll(List.of(extra));
            long t0 = System.nanoTime();
            Process process = new ProcessBuilder(java("dev.sluice.app.SluiceMain", args.toArray(String[]::new)))
                    .redirectErrorStream(true).redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile())
                    .start();
            String base = "http://127.0.0.1:" + port;
            awaitTrue(() -> status(bench.http, base + "/readyz") == 200, Duration.ofSeconds(120));
            return new Sluice(process, base, millisSince(t0), bench.http);
        }

        JsonNode get(String path) {
            return json(send(HttpRequest.newBuilder(URI.create(base + path)).GET()));
        }

        void post(String path, String body) {
            send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        void delete(String path) {
            send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
        }

        String phase(String name) {
            return get("/api/v1/namespaces/default/deployments/" + name).path("status").path("phase").asText();
        }

        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }

        private String send(HttpRequest.Builder request) {
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private static JsonNode json(String body) {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(body, e);
            }
        }

        private static int status(HttpClient http, String url) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }
}
