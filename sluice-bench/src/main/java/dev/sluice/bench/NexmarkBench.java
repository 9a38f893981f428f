package dev.sluice.bench;

import static dev.sluice.bench.LifecycleBench.median;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.Json;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.SluiceServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * bench/nexmark: Nexmark queries ({@link NexmarkQueries}) through Sluice (applied as pipelines on the embedded
 * cluster) and as plain Flink jobs (the same SQL through a TableEnvironment on Flink's local executor, with the same
 * state backend and checkpointing as Sluice's jobs), alternately in one warm JVM. Job time is Flink's own net runtime
 * of each job; prints medians and plain / Sluice (1.00 = same speed; goal >= 0.97).
 *
 * <p>To look for where a difference comes from: {@code -Dplain.<flink option>=<value>} adds an option to the plain
 * jobs, {@code -DplainCompiled=true} runs them from a compiled plan as Sluice does, {@code -DplainOnSluiceCluster=true}
 * submits them over REST to Sluice's own embedded cluster, and {@code -DreconcileInterval=60s}
 * has Sluice's reconciler look at its jobs less often (NEXMARK_JAVA_OPTS passes them).
 */
public final class NexmarkBench {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String api;
    private final RestClusterClient<String> flink;
    private final Path work;
    private final URI sluiceFlink;
    private int runs;

    private NexmarkBench(String api, RestClusterClient<String> flink, Path work, URI sluiceFlink) {
        this.api = api;
        this.flink = flink;
        this.work = work;
        this.sluiceFlink = sluiceFlink;
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<Integer> parallelisms = args.length > 2 ? List.of(args[2].split(",")).stream().map(Integer::parseInt)
                .toList() : List.of(1, 2);
        List<String> queries = args.length > 3 ? List.of(args[3].split(",")) : List.of("q0", "q5", "q8", "q11");
        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bench-nexmark");
        SluiceConfig config = SluiceConfig.defaults().withDataDir(work.resolve("sluice").toString()).withPort(0);
        if (System.getProperty("reconcileInterval") != null) {
            config = new SluiceConfig(config.dataDir(), config.port(), config.kafka(), config.flink(),
                    System.getProperty("reconcileInterval"), config.targets(), config.store(), config.snapshots());
        }
        try (SluiceServer server = SluiceServer.start(config)) {
            URI rest = URI.create(((List<?>) server.info().get("targets")).stream().map(t -> (Map<?, ?>) t)
                    .findFirst().orElseThrow().get("rest").toString());
            Configuration clientConf = new Configuration();
            clientConf.set(RestOptions.ADDRESS, rest.getHost());
            clientConf.set(RestOptions.PORT, rest.getPort());
            try (RestClusterClient<String> client = new RestClusterClient<>(clientConf, "bench")) {
                NexmarkBench bench = new NexmarkBench("http://127.0.0.1:" + server.port()
                        + "/api/v1/namespaces/default/deployments", client, work, rest);
                bench.run(events, rounds, parallelisms, queries);
            }
        } finally {
            BenchFiles.deleteRecursively(work);
        }
    }

    private void run(long events, int rounds, List<Integer> parallelisms, List<String> queries) throws Exception {
        Map<String, String> scripts = NexmarkQueries.scripts(events);
        // Warm-up, not counted: the planner, the operators and both clusters' code paths once each.
        String warmUp = NexmarkQueries.scripts(100_000).get("q5");
        throughSluice(warmUp, 1);
        plain(warmUp, 1);
        Map<String, List<Long>> sluice = new LinkedHashMap<>();
        Map<String, List<Long>> plain = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String query : queries) {
                for (int p : parallelisms) {
                    String key = query + " p" + p;
                    // Alternate which goes first, so that neither always runs on a warmer machine.
                    if (round % 2 == 0) {
                        sluice.computeIfAbsent(key, k -> new ArrayList<>()).add(throughSluice(scripts.get(query), p));
                        plain.computeIfAbsent(key, k -> new ArrayList<>()).add(plain(scripts.get(query), p));
                    } else {
                        plain.computeIfAbsent(key, k -> new ArrayList<>()).add(plain(scripts.get(query), p));
                        sluice.computeIfAbsent(key, k -> new ArrayList<>()).add(throughSluice(scripts.get(query), p));
                    }
                    System.out.printf("round %d %-8s sluice %6d ms  plain %6d ms%n", round + 1, key,
                            last(sluice.get(key)), last(plain.get(key)));
                }
            }
        }
        System.out.printf("%nbench/nexmark: %d events, %d rounds, Flink's net job runtime (ms); ratio = plain / sluice "
                + "of each round (the two ran back to back), median and range%n", events, rounds);
        System.out.printf("%-10s %10s %10s %8s %16s%n", "query", "sluice", "plain", "ratio", "range");
        for (String key : sluice.keySet()) {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < sluice.get(key).size(); i++) {
                ratios.add((double) plain.get(key).get(i) / sluice.get(key).get(i));
            }
            Collections.sort(ratios);
            System.out.printf("%-10s %10d %10d %8.2f %7.2f - %-6.2f%n", key, median(sluice.get(key)),
                    median(plain.get(key)), medianOf(ratios), ratios.get(0), ratios.get(ratios.size() - 1));
        }
        System.out.println("goal: plain / sluice >= 0.97 on every query");
    }

    /** The median of sorted values; the mean of the middle two for an even count. */
    private static double medianOf(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static long last(List<Long> values) {
        return values.get(values.size() - 1);
    }

    /** Applies the script as a pipeline, waits until its bounded job finishes, and deletes it; its net runtime. */
    private long throughSluice(String script, int parallelism) throws Exception {
        String name = "nexmark-" + (++runs);
        String yaml = """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: %s
                spec:
                  parallelism: %d
                  sql: |
                %s
                """.formatted(name, parallelism, script.indent(4).stripTrailing());
        String body = send(HttpRequest.newBuilder(URI.create(api)).header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml)));
        if (!body.contains("\"created\"")) {
            throw new IllegalStateException("apply refused: " + body);
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        JsonNode status;
        do {
            // The job's time is Flink's own figure, so how soon the end is seen does not count; asking once a second
            // keeps the harness's own load (HTTP and the store, ~1% of a core at 5 a second) off the job it measures.
            Thread.sleep(1000);
            status = Json.MAPPER.readTree(send(HttpRequest.newBuilder(URI.create(api + "/" + name)).GET()))
                    .path("status");
            if (status.path("phase").asText().equals("failed")) {
                throw new IllegalStateException(name + " failed: " + status.path("error").asText());
            }
        } while (!status.path("phase").asText().equals("finished") && System.nanoTime() < deadline);
        String jobId = status.path("jobId").asText();
        long runtime = flink.requestJobResult(JobID.fromHexString(jobId)).get().getNetRuntime();
        send(HttpRequest.newBuilder(URI.create(api + "/" + name)).DELETE());
        return runtime;
    }

    /** The same script as a plain Flink job on the local executor, with Sluice's state backend and checkpointing. */
    private long plain(String script, int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("plain-checkpoints").toUri().toString());
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        if (Boolean.getBoolean("plainOnSluiceCluster")) {
            // The plain job submitted over REST to Sluice's own embedded cluster, as Sluice submits: what is left of
            // a difference then is Sluice's control plane, not the cluster or the way in.
            conf.set(org.apache.flink.configuration.DeploymentOptions.TARGET, "remote");
            conf.set(RestOptions.ADDRESS, sluiceFlink.getHost());
            conf.set(RestOptions.PORT, sluiceFlink.getPort());
        }
        // -Dplain.<flink option>=<value> adds an option to the plain jobs (to find where a difference comes from).
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("plain."))
                .forEach(k -> conf.setString(k.substring("plain.".length()), System.getProperty(k)));
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode()
                .withConfiguration(conf).build());
        TableResult insert = null;
        for (String statement : script.split(";\\s*\\n")) {
            if (statement.isBlank()) {
                continue;
            }
            insert = Boolean.getBoolean("plainCompiled") && statement.strip().startsWith("INSERT")
                    ? tEnv.executePlan(org.apache.flink.table.api.PlanReference.fromJsonString(
                            tEnv.compilePlanSql(statement).asJsonString()))
                    : tEnv.executeSql(statement);
        }
        return insert.getJobClient().orElseThrow().getJobExecutionResult().get().getNetRuntime();
    }

    private String send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
