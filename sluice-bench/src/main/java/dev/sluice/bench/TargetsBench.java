package dev.sluice.bench;

import static dev.sluice.bench.LifecycleBench.awaitTrue;
import static dev.sluice.bench.LifecycleBench.median;
import static dev.sluice.bench.LifecycleBench.millisSince;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cluster.FlinkCluster;
import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.lifecycle.JobIds;
import dev.sluice.engine.flink.EmbeddedFlink;
import dev.sluice.engine.flink.FlinkEngine;
import dev.sluice.model.Json;
import dev.sluice.model.PipelineSpec;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.SluiceServer;
import dev.sluice.streams.kafka.EmbeddedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * bench/targets: the same stateful pipeline (datagen, a keyed aggregate, an exactly-once upsert-Kafka sink) on the
 * embedded target and on a standalone Flink session cluster of separate JVMs: submit to running, stop with a
 * savepoint, restore to running; medians and the ratio remote / embedded. Then, on the remote cluster under Sluice,
 * the time from a SIGKILL of a TaskManager (Flink restarts the job) and of the JobManager (Sluice resubmits from the
 * newest retained checkpoint once a JobManager is back) until every task runs again.
 */
public final class TargetsBench {
    private static final String SQL = """
            CREATE TABLE src (v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200',
              'fields.v.min' = '0', 'fields.v.max' = '1000000');
            CREATE TABLE counts (k STRING, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH (
              'connector' = 'upsert-kafka', 'topic' = 'bench-counts', 'properties.bootstrap.servers' = '%s',
              'key.format' = 'json', 'value.format' = 'json', 'sink.delivery-guarantee' = 'exactly-once',
              'sink.transactional-id-prefix' = 'bench-%s');
            INSERT INTO counts SELECT CONCAT('k', CAST(v %% 100 AS STRING)), COUNT(*) FROM src
              GROUP BY CONCAT('k', CAST(v %% 100 AS STRING));
            """;

    private final Path work;
    private final int rounds;
    private final HttpClient http = HttpClient.newHttpClient();

    private TargetsBench(Path work, int rounds) {
        this.work = work;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bench-targets");
        try {
            new TargetsBench(work, rounds).run();
        } finally {
            BenchFiles.deleteRecursively(work);
        }
    }

    private void run() throws Exception {
        FlinkCluster cluster = FlinkCluster.at(work.resolve("cluster"));
        long clusterStart = System.nanoTime();
        cluster.start(2, 2, freePort());
        cluster.awaitReady(Duration.ofSeconds(120));
        long clusterReady = millisSince(clusterStart);
        try {
            List<List<Long>> embedded;
            List<List<Long>> remote;
            try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), 0);
                    EmbeddedFlink flink = EmbeddedFlink.start(work.resolve("flink"), 4);
                    FlinkEngine local = flink.engine();
                    FlinkEngine far = FlinkEngine.remote("remote", cluster.restUrl(), Map.of())) {
                kafka.ensureTopic("bench-counts", 2);
                String bootstrap = kafka.bootstrapServers();
                lifecycle(local, bootstrap, "warmup-embedded", 1);
                lifecycle(far, bootstrap, "warmup-remote", 1);
                embedded = lifecycle(local, bootstrap, "embedded", rounds);
                remote = lifecycle(far, bootstrap, "remote", rounds);
            }
            List<List<Long>> recovery = recovery(cluster);

            System.out.printf("bench/targets: the same stateful pipeline (datagen -> keyed count -> exactly-once "
                    + "upsert-kafka, parallelism 2); medians of %d rounds%n", rounds);
            System.out.printf("remote = standalone session cluster, 1 JobManager + 2 TaskManagers (separate JVMs, "
                    + "ready in %d ms); connector jars shipped with each SQL job%n", clusterReady);
            System.out.printf("%-36s %12s %10s %7s%n", "step", "embedded ms", "remote ms", "ratio");
            row("submit to running", embedded.get(0), remote.get(0));
            row("stop with savepoint", embedded.get(1), remote.get(1));
            row("restore to running", embedded.get(2), remote.get(2));
            System.out.printf("%nrecovery on the remote cluster (heartbeat timeout %s ms), medians of %d kills:%n",
                    "5000", rounds);
            System.out.printf("%-62s %8d ms%n", "TaskManager kill -9 -> Flink restarts, every task running",
                    median(recovery.get(0)));
            System.out.printf("%-62s %8d ms%n", "JobManager kill -9 -> restarted -> Sluice resubmits, running",
                    median(recovery.get(1)));
            System.out.printf("%-62s %8d ms%n", "  of which JobManager start to REST answering",
                    median(recovery.get(2)));
        } finally {
            cluster.stop();
        }
    }

    /** Rounds of submit, stop-with-savepoint and restore: three lists of milliseconds. */
    private List<List<Long>> lifecycle(FlinkEngine engine, String bootstrap, String label, int n)
            throws Exception {
        List<Long> submit = new ArrayList<>();
        List<Long> savepoint = new ArrayList<>();
        List<Long> restore = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String uid = UUID.randomUUID().toString();
            // Each round its own transactional ids, as each deployment has.
            CompiledPipeline plan = engine.compile(PipelineSpec.ofSql(SQL.formatted(bootstrap, uid)));
            String checkpoints = work.resolve("checkpoints").resolve(label + "-" + i).toUri().toString();
            String first = JobIds.of(uid, 1);
            long t0 = System.nanoTime();
            engine.submit(submission(first, plan, checkpoints, null));
            awaitTrue(() -> engine.observe(first).state() == JobState.RUNNING, Duration.ofSeconds(120));
            submit.add(millisSince(t0));
            Thread.sleep(2500); // a checkpoint or two: state to save
            t0 = System.nanoTime();
            String location = engine.stopWithSavepoint(first,
                    work.resolve("savepoints").resolve(label + "-" + i).toUri().toString());
            savepoint.add(millisSince(t0));
            String second = JobIds.of(uid, 2);
            t0 = System.nanoTime();
            engine.submit(submission(second, plan, checkpoints, location));
            awaitTrue(() -> engine.observe(second).state() == JobState.RUNNING, Duration.ofSeconds(120));
            restore.add(millisSince(t0));
            engine.cancel(second);
        }
        return List.of(submit, savepoint, restore);
    }

    /** Kill-to-running times under Sluice: TaskManager kills, JobManager kills, JobManager starts. */
    private List<List<Long>> recovery(FlinkCluster cluster) throws Exception {
        List<Long> taskManager = new ArrayList<>();
        List<Long> jobManager = new ArrayList<>();
        List<Long> jobManagerStart = new ArrayList<>();
        SluiceConfig config = SluiceConfig.defaults().withDataDir(work.resolve("sluice").toString()).withPort(0)
                .withTargets(List.of(new SluiceConfig.Target("remote", "flink-session", cluster.restUrl().toString())));
        try (SluiceServer server = SluiceServer.start(config);
                FlinkEngine observer = FlinkEngine.remote("observer", cluster.restUrl(), Map.of())) {
            String api = "http://127.0.0.1:" + server.port() + "/api/v1/namespaces/default/deployments";
            server.streams().ensureTopic("bench-counts", 2);
            String yaml = """
                    apiVersion: sluice.dev/v1
                    kind: Pipeline
                    metadata: {name: recovery}
                    spec:
                      target: remote
                      parallelism: 2
                      checkpoints: {interval: 1s}
                      sql: |
                    %s""".formatted(SQL.formatted("${kafka.bootstrapServers}", "recovery").indent(4));
            post(api, yaml);
            awaitTrue(() -> "running".equals(status(api + "/recovery").path("phase").asText()), Duration.ofSeconds(120));
            for (int i = 0; i < rounds; i++) {
                Thread.sleep(3000); // checkpoints to recover from
                String jobId = status(api + "/recovery").path("jobId").asText();
                int busy = cluster.busyTaskManagers().get(0);
                long killedAt = System.currentTimeMillis();
                long t0 = System.nanoTime();
                cluster.killTaskManager(busy);
                // Recovered: Flink restarted the job after the kill, and every task runs again.
                awaitOrExplain(() -> {
                    var job = observer.observe(jobId);
                    return job.state() == JobState.RUNNING && job.lastRestartAt() != null
                            && job.lastRestartAt() >= killedAt;
                }, Duration.ofSeconds(120), () -> "job " + jobId + " after killing taskmanager-" + busy + ": "
                        + observer.observe(jobId) + "\n" + cluster.status().describe());
                taskManager.add(millisSince(t0));
                cluster.startTaskManager(busy);
                cluster.awaitReady(Duration.ofSeconds(120));

                Thread.sleep(3000);
                String before = status(api + "/recovery").path("jobId").asText();
                t0 = System.nanoTime();
                cluster.killJobManager();
                long started = System.nanoTime();
                cluster.startJobManager();
                awaitTrue(() -> observer.observe(before).state() != JobState.UNREACHABLE, Duration.ofSeconds(120));
                jobManagerStart.add(millisSince(started));
                awaitTrue(() -> {
                    JsonNode status = status(api + "/recovery");
                    return "running".equals(status.path("phase").asText())
                            && !before.equals(status.path("jobId").asText());
                }, Duration.ofSeconds(180));
                jobManager.add(millisSince(t0));
                cluster.awaitReady(Duration.ofSeconds(120));
            }
        }
        return List.of(taskManager, jobManager, jobManagerStart);
    }

    private static void awaitOrExplain(java.util.function.BooleanSupplier condition, Duration timeout,
            java.util.function.Supplier<String> diagnosis) throws InterruptedException {
        try {
            LifecycleBench.awaitTrue(condition, timeout);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + ": " + diagnosis.get(), e);
        }
    }

    private static JobSubmission submission(String id, CompiledPipeline plan, String checkpoints, String restore) {
        return new JobSubmission(id, "bench", plan, 2, Duration.ofSeconds(1), checkpoints, restore, false, Map.of());
    }

    private static void row(String step, List<Long> embedded, List<Long> remote) {
        long e = median(embedded);
        long r = median(remote);
        System.out.printf("%-36s %12d %10d %7.2f%n", step, e, r, e == 0 ? 0.0 : (double) r / e);
    }

    private JsonNode status(String url) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return Json.MAPPER.readTree(body).path("status");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void post(String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("apply failed: " + response.body());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
