package dev.sluice.bench;

import static dev.sluice.bench.LifecycleBench.median;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.control.lifecycle.Reconciler;
import dev.sluice.model.Json;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.SluiceServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * bench/control-plane: the control plane alone at scale. A Sluice server in this JVM with its real store (H2), API
 * and reconciler, and a target of type {@code simulated-flink} (an engine that answers like Flink, each call taking
 * {@code -Dsim.latencyMs}, default 1 ms); N deployments (default 2,000) are applied over the API and run. Prints the
 * time of a full reconcile pass over all of them, the p99 of {@code GET} of the deployment list, and how often the
 * engine is asked about an idle deployment, each next to its goal.
 */
public final class ControlPlaneBench {
    private static final String TARGET = "sim";
    private static final Duration PASS_GOAL = Duration.ofSeconds(2);
    private static final double LIST_P99_GOAL_MS = 100;
    /** "No engine call more often than every few seconds." */
    private static final double IDLE_INTERVAL_GOAL_S = 3;

    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    public static void main(String[] args) throws Exception {
        int deployments = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        new ControlPlaneBench().run(deployments, idleSeconds);
        System.exit(0);
    }

    private void run(int count, int idleSeconds) throws Exception {
        Path data = Path.of("sluice-bench", "target", "control-plane").toAbsolutePath();
        BenchFiles.deleteRecursively(data);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        SluiceConfig config = SluiceConfig.defaults().withDataDir(data.toString()).withPort(port)
                .withTargets(List.of(new SluiceConfig.Target(TARGET, SimulatedFlink.TYPE, "http://127.0.0.1:9")));
        try (SluiceServer server = SluiceServer.start(config)) {
            base = "http://127.0.0.1:" + server.port();
            SimulatedFlink engine = SimulatedFlink.STARTED.get(TARGET);

            List<Long> applies = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> answer = post("/api/v1/namespaces/default/deployments", spec(i));
                applies.add(System.nanoTime() - t0);
                if (answer.statusCode() != 201) {
                    throw new IllegalStateException("apply " + i + ": " + answer.statusCode() + " " + answer.body());
                }
            }
            long t0 = System.nanoTime();
            awaitPhases(count, "running");
            long toRunning = System.nanoTime() - t0;
            // Each version has a readiness window of 2 s; after it the deployments are idle.
            Thread.sleep(Reconciler.IDLE_LOOK_EVERY.toMillis() + 3000);

            long observedBefore = engine.observations();
            long callsBefore = engine.calls();
            List<Long> lists = new ArrayList<>();
            long idleStart = System.nanoTime();
            long idleEnd = idleStart + Duration.ofSeconds(idleSeconds).toNanos();
            while (System.nanoTime() < idleEnd) {
                long g0 = System.nanoTime();
                HttpResponse<String> list = get("/api/v1/namespaces/default/deployments");
                lists.add(System.nanoTime() - g0);
                if (list.statusCode() != 200) {
                    throw new IllegalStateException("list: " + list.statusCode());
                }
                Thread.sleep(50);
            }
            double idleWindow = (System.nanoTime() - idleStart) / 1e9;
            long observed = engine.observations() - observedBefore;
            long calls = engine.calls() - callsBefore;

            // Full passes, as the loop makes every few seconds (the loop runs beside them).
            List<Long> passes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long p0 = System.nanoTime();
                server.reconciler().pass();
                passes.add(System.nanoTime() - p0);
            }

            double passMs = median(passes) / 1e6;
            double listP99 = percentile(lists, 0.99) / 1e6;
            double interval = observed == 0 ? Double.POSITIVE_INFINITY : count * idleWindow / observed;
            System.out.printf("%nbench/control-plane: %d deployments on a simulated Flink (each engine call %d ms), "
                    + "H2 store%n", count, Long.getLong("sim.latencyMs", 1));
            System.out.printf("%-52s %10.1f ms (median), p99 %.1f ms%n", "apply over the API", median(applies) / 1e6,
                    percentile(applies, 0.99) / 1e6);
            System.out.printf("%-52s %10.1f s%n", "all " + count + " running after the last apply", toRunning / 1e9);
            System.out.printf("%-52s %10.1f ms (median of 5), max %.1f ms%n", "full reconcile pass", passMs,
                    Collections.max(passes) / 1e6);
            System.out.printf("%-52s %10.1f ms (p50), p99 %.1f ms over %d calls%n", "GET deployment list",
                    percentile(lists, 0.5) / 1e6, listP99, lists.size());
            System.out.printf("%-52s %10.1f s (%d observations, %d calls in %.0f s)%n",
                    "engine asked about an idle deployment every", interval, observed, calls, idleWindow);
            System.out.printf("full pass / goal %d s:                %.2f (goal <= 1)%n", PASS_GOAL.toSeconds(),
                    passMs / PASS_GOAL.toMillis());
            System.out.printf("list p99 / goal %.0f ms:               %.2f (goal <= 1)%n", LIST_P99_GOAL_MS,
                    listP99 / LIST_P99_GOAL_MS);
            System.out.printf("goal %.0f s / idle interval:           %.2f (goal <= 1)%n", IDLE_INTERVAL_GOAL_S,
                    IDLE_INTERVAL_GOAL_S / interval);
        }
        BenchFiles.deleteRecursively(data);
    }

    private static String spec(int i) {
        return """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: p%05d
                spec:
                  sql: |
                    INSERT INTO sink SELECT * FROM source_%d;
                  target: %s
                  rollback: {readinessTimeout: 2s}
                """.formatted(i, i, TARGET);
    }

    private void awaitPhases(int count, String phase) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            Map<String, Integer> phases = new TreeMap<>();
            for (JsonNode d : Json.MAPPER.readTree(get("/api/v1/namespaces/default/deployments").body()).path("items")) {
                phases.merge(d.path("status").path("phase").asText(), 1, Integer::sum);
            }
            if (phases.getOrDefault(phase, 0) == count) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not all " + phase + ": " + phases);
            }
            Thread.sleep(500);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
