package dev.sluice.bench;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.lifecycle.JobIds;
import dev.sluice.engine.flink.FlinkEngine;
import dev.sluice.model.Json;
import dev.sluice.model.PipelineSpec;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.SluiceServer;
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
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * bench/upgrade: the output gap of a stateful upgrade (from the last record the old version wrote to the first the new
 * one wrote) through Sluice, against a hand-run stop-with-savepoint + submit of the same job with the same state, on
 * the same embedded Flink cluster and Kafka broker, in the same run. Small state, and with {@code --large} about 1 GB
 * of RocksDB state.
 */
public final class UpgradeBench {
    private UpgradeBench() {}

    public static void main(String[] args) throws Exception {
        boolean large = List.of(args).contains("--large");
        // Small: 10k keys; large: ~5M keys x ~200-byte payloads (about 1 GB in RocksDB).
        long keys = large ? 5_000_000 : 10_000;
        int rate = large ? 100_000 : 2_000;
        int buildSeconds = large ? 120 : 15;
        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "bench-upgrade");
        try {
            run(work, large, keys, rate, buildSeconds);
        } finally {
            BenchFiles.deleteRecursively(work); // ~3 GB with --large
        }
    }

    private static void run(Path work, boolean large, long keys, int rate, int buildSeconds) throws Exception {
        try (SluiceServer server = SluiceServer.start(SluiceConfig.defaults().withDataDir(work.toString()).withPort(0))) {
            String kafka = server.streams().bootstrapServers();
            String flinkRest = ((List<?>) server.info().get("targets")).stream().map(t -> (Map<?, ?>) t)
                    .findFirst().orElseThrow().get("rest").toString();
            server.streams().ensureTopic("gap-sluice", 1);
            server.streams().ensureTopic("gap-hand", 1);
            HttpClient http = HttpClient.newHttpClient();
            String api = "http://127.0.0.1:" + server.port() + "/api/v1/namespaces/default/deployments";

            // Sluice: v1, build state, then a stateful upgrade to v2 (a configuration change: same plan, same state).
            post(http, api, yaml("gap", "gap-sluice", keys, rate, large, "v1"));
            await(() -> phase(http, api + "/gap").equals("running"), 120);
            Thread.sleep(buildSeconds * 1000L);
            long upgradeAt = System.currentTimeMillis();
            post(http, api, yaml("gap", "gap-sluice", keys, rate, large, "v2"));
            await(() -> version(http, api + "/gap") == 2 && phase(http, api + "/gap").equals("running"), 600);
            Thread.sleep(5000);
            long sluiceGap = gap(kafka, "gap-sluice", upgradeAt);
            long stateBytes = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(api + "/gap/snapshots"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body()).path("items").get(0)
                    .path("sizeBytes").asLong();
            post(http, api + "/gap/cancel", "");

            // By hand: the same SQL, compiled and run through Flink's REST client on the same cluster.
            try (FlinkEngine engine = new FlinkEngine("hand", URI.create(flinkRest), new Configuration())) {
                PipelineSpec spec = new dev.sluice.model.SpecParser().parse(
                        yaml("hand", "gap-hand", keys, rate, large, "v1")).document().spec();
                CompiledPipeline plan = engine.compile(spec.withSql(spec.sql().replace("${kafka.bootstrapServers}", kafka)));
                String uid = UUID.randomUUID().toString();
                String checkpoints = work.resolve("hand-checkpoints").toUri().toString();
                String first = JobIds.of(uid, 1);
                engine.submit(submission(first, plan, checkpoints, null));
                await(() -> engine.observe(first).state() == JobState.RUNNING, 120);
                Thread.sleep(buildSeconds * 1000L);
                long handAt = System.currentTimeMillis();
                String savepoint = engine.stopWithSavepoint(first, work.resolve("hand-savepoint").toUri().toString());
                String second = JobIds.of(uid, 2);
                engine.submit(submission(second, plan, checkpoints, savepoint));
                await(() -> engine.observe(second).state() == JobState.RUNNING, 600);
                Thread.sleep(5000);
                long handGap = gap(kafka, "gap-hand", handAt);
                engine.cancel(second);
                System.out.printf("bench/upgrade (%s state; the upgrade savepoint holds %d MB): output gap of a "
                        + "stateful upgrade%n", large ? "large" : "small", stateBytes / (1024 * 1024));
                System.out.printf("  sluice %d ms, by hand %d ms, ratio %.2f (goal <= 1.20)%n", sluiceGap, handGap,
                        handGap == 0 ? 0.0 : (double) sluiceGap / handGap);
            }
        }
    }

    private static JobSubmission submission(String id, CompiledPipeline plan, String checkpoints, String restore) {
        return new JobSubmission(id, "hand", plan, 2, Duration.ofSeconds(10), checkpoints, restore, false, Map.of());
    }

    static String yaml(String name, String topic, long keys, int rate, boolean large, String variant) {
        String payload = large ? "'payload' = 'x'," : "";
        return """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: %1$s
                spec:
                  sql: |
                    CREATE TABLE src (k BIGINT, payload STRING) WITH (
                      'connector' = 'datagen',
                      'rows-per-second' = '%4$d',
                      'fields.k.min' = '0',
                      'fields.k.max' = '%3$d',
                      'fields.payload.length' = '%5$d'
                    );
                    CREATE TABLE out_t (k BIGINT, n BIGINT, payload STRING, PRIMARY KEY (k) NOT ENFORCED) WITH (
                      'connector' = 'upsert-kafka',
                      'topic' = '%2$s',
                      'properties.bootstrap.servers' = '${kafka.bootstrapServers}',
                      'key.format' = 'json',
                      'value.format' = 'json'
                    );
                    INSERT INTO out_t SELECT k, COUNT(*), LAST_VALUE(payload) FROM src GROUP BY k;
                  parallelism: 2
                  checkpoints: {interval: 10s}
                  flinkConfiguration: {pipeline.variant-tag: %6$s}
                """.formatted(name, topic, keys - 1, rate, large ? 200 : 10, variant).replace("'payload' = 'x',", payload);
    }

    /** The largest gap between consecutive output records from 2 s before the upgrade on. */
    static long gap(String bootstrap, String topic, long from) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<Long> times = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            long start = consumer.offsetsForTimes(Map.of(tp, from - 2000)).get(tp).offset();
            consumer.seek(tp, start);
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    times.add(r.timestamp());
                }
            }
        }
        long max = 0;
        for (int i = 1; i < times.size(); i++) {
            max = Math.max(max, times.get(i) - times.get(i - 1));
        }
        return max;
    }

    private static void post(HttpClient http, String url, String body) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String phase(HttpClient http, String url) {
        return status(http, url).path("phase").asText();
    }

    private static int version(HttpClient http, String url) {
        return status(http, url).path("version").asInt();
    }

    private static com.fasterxml.jackson.databind.JsonNode status(HttpClient http, String url) {
        try {
            return Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body()).path("status");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + seconds + " s");
            }
            Thread.sleep(10);
        }
    }
}
