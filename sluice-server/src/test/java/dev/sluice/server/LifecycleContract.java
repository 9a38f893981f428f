package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment lifecycle, the same on every target: apply, suspend, resume, stateful upgrade, rescale, rollback,
 * fork, user snapshots, jar pipelines. Each subclass runs it against one target; every run must end with exactly the
 * aggregates of an uninterrupted one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LifecycleContract {
    @TempDir
    static Path dir;
    SluiceServer server;
    TestApi api;

    /** The target every pipeline of this suite runs on. */
    abstract String target();

    /** Starts Sluice (and whatever the target needs) on a data directory. */
    abstract SluiceServer startServer(Path dataDir);

    @BeforeAll
    void start() {
        server = startServer(dir.resolve("sluice"));
        api = new TestApi("http://127.0.0.1:" + server.port());
    }

    /** Stops what {@link #startServer} started beside Sluice, once Sluice has stopped. */
    void stopParts() {}

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        stopParts();
    }

    KeyedCounts counts(String name, int total, int rowsPerSecond) {
        return new KeyedCounts(name, total, rowsPerSecond).on(target());
    }

    @Test
    void suspendAndResumeKeepKeyedStateExactly() {
        KeyedCounts pipeline = counts("counts-suspend", 400, 40);
        String kafka = server.streams().bootstrapServers();
        server.streams().ensureTopic(pipeline.output(), 1);

        TestApi.Response applied = api.post("/api/v1/namespaces/default/deployments", pipeline.yaml());
        assertThat(applied.status()).as(applied.body()).isEqualTo(201);
        assertThat(applied.json().path("version").asInt()).isEqualTo(1);
        assertThat(api.post("/api/v1/namespaces/default/deployments", pipeline.yaml()).json().path("result").asText())
                .isEqualTo("unchanged");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("counts-suspend").equals("running"));
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.countedInputs(kafka) >= 80);

        assertThat(api.post("/api/v1/namespaces/default/deployments/counts-suspend/suspend", null).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("counts-suspend").equals("suspended"));
        long counted = pipeline.countedInputs(kafka);
        assertThat(counted).as("suspended mid-way").isBetween(80L, 399L);
        JsonNode snapshots = api.get("/api/v1/namespaces/default/deployments/counts-suspend/snapshots").json();
        assertThat(snapshots.path("items").get(0).path("origin").asText()).isEqualTo("suspend");
        assertThat(snapshots.path("items").get(0).path("state").asText()).isEqualTo("completed");
        assertThat(api.deployment("counts-suspend").path("status").has("jobId")).isFalse();

        assertThat(api.post("/api/v1/namespaces/default/deployments/counts-suspend/resume", null).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("counts-suspend").equals("running"));
        assertThat(api.deployment("counts-suspend").path("status").path("restoredFrom").asText())
                .isEqualTo(snapshots.path("items").get(0).path("location").asText());
        await().atMost(Duration.ofSeconds(90)).until(() -> api.phase("counts-suspend").equals("finished"));
        assertThat(pipeline.committed(kafka)).isEqualTo(KeyedCounts.expected(400));

        JsonNode events = api.get("/api/v1/namespaces/default/deployments/counts-suspend/events").json();
        assertThat(events.path("items").toString()).contains("running -> suspending", "suspending -> suspended",
                "SnapshotCompleted", "restoring snapshot");
    }

    @Test
    void rescaleUpgradeAndRollbackKeepKeyedStateExactly() {
        KeyedCounts pipeline = counts("counts-upgrade", 600, 30);
        String kafka = server.streams().bootstrapServers();
        server.streams().ensureTopic(pipeline.output(), 1);
        String v1 = pipeline.yaml();
        String v2 = v1.replace("  parallelism: 2", "  parallelism: 1");
        assertThat(api.post("/api/v1/namespaces/default/deployments", v1).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("counts-upgrade").equals("running"));
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.countedInputs(kafka) >= 60);

        JsonNode diff = api.post("/api/v1/namespaces/default/deployments/counts-upgrade/diff", v2).json();
        assertThat(diff.path("action").asText()).isEqualTo("rescale");
        assertThat(diff.path("changes").get(0).path("field").asText()).isEqualTo("spec.parallelism");
        assertThat(api.get("/api/v1/namespaces/default/deployments/counts-upgrade/versions").json()
                .path("items")).hasSize(1);

        assertThat(api.post("/api/v1/namespaces/default/deployments", v2).json().path("version").asInt()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.deployment("counts-upgrade").path("status")
                .path("version").asInt() == 2 && api.phase("counts-upgrade").equals("running"));
        JsonNode upgradeSnapshot = api.get("/api/v1/namespaces/default/deployments/counts-upgrade/snapshots").json()
                .path("items").get(0);
        assertThat(upgradeSnapshot.path("origin").asText()).isEqualTo("upgrade");
        assertThat(upgradeSnapshot.path("version").asInt()).isEqualTo(1);
        long before = pipeline.countedInputs(kafka);
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.countedInputs(kafka) > before + 30);

        TestApi.Response rollback = api.post(
                "/api/v1/namespaces/default/deployments/counts-upgrade/rollback?toVersion=1", null);
        assertThat(rollback.status()).as(rollback.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.deployment("counts-upgrade").path("status")
                .path("version").asInt() == 1 && api.phase("counts-upgrade").equals("running"));
        assertThat(api.deployment("counts-upgrade").path("status").path("restoredFrom").asText())
                .isEqualTo(upgradeSnapshot.path("location").asText());
        await().atMost(Duration.ofSeconds(90)).until(() -> api.phase("counts-upgrade").equals("finished"));
        assertThat(pipeline.committed(kafka)).isEqualTo(KeyedCounts.expected(600));
        assertThat(api.get("/api/v1/namespaces/default/deployments/counts-upgrade/events").body())
                .contains("UpgradeSavepoint", "RollbackRequested");
    }

    @Test
    void statefulUpgradesOfTheQueryUnderLoadLoseAndDuplicateNothing() throws Exception {
        String name = "seq-upgrades";
        String kafka = server.streams().bootstrapServers();
        server.streams().ensureTopic("upg-in", 2);
        server.streams().ensureTopic("upg-out", 2);
        try (SequenceVerifier load = new SequenceVerifier(kafka, "upg-in", 20, 200)) {
            assertThat(api.post("/api/v1/namespaces/default/deployments",
                    SequenceVerifier.pipeline(name, "upg-in", "upg-out", 0, 2, target())).status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.phase(name).equals("running"));
            int[][] variantAndParallelism = {{1, 2}, {0, 1}};
            for (int i = 0; i < variantAndParallelism.length; i++) {
                int version = i + 2;
                TestApi.Response applied = api.post("/api/v1/namespaces/default/deployments", SequenceVerifier.pipeline(
                        name, "upg-in", "upg-out", variantAndParallelism[i][0], variantAndParallelism[i][1], target()));
                assertThat(applied.json().path("version").asInt()).as(applied.body()).isEqualTo(version);
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    JsonNode status = api.deployment(name).path("status");
                    return status.path("phase").asText().equals("running") && status.path("version").asInt() == version;
                });
                assertThat(api.deployment(name).path("status").path("restoredFrom").asText()).contains("savepoint");
                Thread.sleep(1500); // records and a checkpoint between upgrades
            }
            // The job's records in and out, from its Kafka source's and sink's operator metrics on this target.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode status = api.deployment(name).path("status");
                return status.path("recordsIn").asLong() > 0 && status.path("recordsOut").asLong() > 0;
            });
            load.stopAndAssertExactlyOnce("upg-out", Duration.ofSeconds(60));
        }
        assertThat(api.post("/api/v1/namespaces/default/deployments/" + name + "/cancel", null).status()).isEqualTo(202);
    }

    @Test
    void preflightRefusesAnUpgradeThatWouldDropState() {
        KeyedCounts pipeline = counts("counts-preflight", 100_000, 20);
        String kafka = server.streams().bootstrapServers();
        server.streams().ensureTopic(pipeline.output(), 1);
        String v1 = pipeline.yaml();
        String v2 = v1.replaceAll("INSERT INTO counts SELECT[\\s\\S]*?;\n",
                "INSERT INTO counts SELECT CONCAT('k', CAST(v % 7 AS STRING)), CAST(1 AS BIGINT), v FROM src;\n");
        assertThat(v2).isNotEqualTo(v1);
        assertThat(api.post("/api/v1/namespaces/default/deployments", v1).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("counts-preflight").equals("running"));
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.countedInputs(kafka) >= 20);

        JsonNode diff = api.post("/api/v1/namespaces/default/deployments/counts-preflight/diff", v2).json();
        assertThat(diff.path("action").asText()).isEqualTo("stateful-upgrade");
        assertThat(diff.path("stateCheck").path("restorable").asBoolean()).isFalse();
        assertThat(diff.path("stateCheck").path("dropped").toString()).contains("GroupAggregate");

        TestApi.Response refused = api.post("/api/v1/namespaces/default/deployments", v2);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().path("errors").get(0).path("field").asText()).isEqualTo("spec.sql");
        assertThat(refused.json().path("errors").get(0).path("message").asText()).contains("would be lost");
        assertThat(api.get("/api/v1/namespaces/default/deployments/counts-preflight/versions").json().path("items"))
                .hasSize(1);

        String allowed = v2.replace("  parallelism: 2", "  parallelism: 2\n  allowNonRestoredState: true");
        TestApi.Response accepted = api.post("/api/v1/namespaces/default/deployments", allowed);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.deployment("counts-preflight").path("status")
                .path("version").asInt() == 2 && api.phase("counts-preflight").equals("running"));
        assertThat(api.post("/api/v1/namespaces/default/deployments/counts-preflight/cancel", null).status())
                .isEqualTo(202);
    }

    @Test
    void aForkFromAHistoricalSnapshotReprocessesFromThere() {
        KeyedCounts source = counts("counts-origin", 600, 40);
        KeyedCounts fork = counts("counts-fork", 600, 40);
        String kafka = server.streams().bootstrapServers();
        server.streams().ensureTopic(source.output(), 1);
        server.streams().ensureTopic(fork.output(), 1);
        assertThat(api.post("/api/v1/namespaces/default/deployments", source.yaml()).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("counts-origin").equals("running"));
        await().atMost(Duration.ofSeconds(60)).until(() -> source.countedInputs(kafka) >= 40);
        String snapshot = api.post("/api/v1/namespaces/default/deployments/counts-origin/snapshots", null).json()
                .path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get(
                "/api/v1/namespaces/default/deployments/counts-origin/snapshots/" + snapshot).json().path("state")
                .asText().equals("completed"));
        String location = api.get("/api/v1/namespaces/default/deployments/counts-origin/snapshots/" + snapshot).json()
                .path("location").asText();
        await().atMost(Duration.ofSeconds(90)).until(() -> api.phase("counts-origin").equals("finished"));

        // Reprocess from the historical snapshot into a side topic, with the fork's own sink.
        TestApi.Response forked = api.post("/api/v1/namespaces/default/deployments/counts-origin/fork?as=counts-fork"
                + "&snapshot=" + snapshot, fork.yaml());
        assertThat(forked.status()).as(forked.body()).isEqualTo(201);
        JsonNode early = api.get("/api/v1/namespaces/default/compare?a=counts-origin&b=counts-fork").json();
        assertThat(early.path("equal").asBoolean()).as(early.toString()).isFalse();
        assertThat(early.path("onlyInA").asLong() + early.path("different").asLong()).isPositive();
        await().atMost(Duration.ofSeconds(60)).until(() -> !api.phase("counts-fork").equals("pending"));
        assertThat(api.deployment("counts-fork").path("status").path("restoredFrom").asText()).isEqualTo(location);
        await().atMost(Duration.ofSeconds(90)).until(() -> api.phase("counts-fork").equals("finished"));
        assertThat(fork.committed(kafka)).isEqualTo(KeyedCounts.expected(600));
        assertThat(source.committed(kafka)).isEqualTo(KeyedCounts.expected(600));
        JsonNode compared = api.get("/api/v1/namespaces/default/compare?a=counts-origin&b=counts-fork").json();
        assertThat(compared.path("upsert").asBoolean()).isTrue();
        assertThat(compared.path("equal").asBoolean()).as(compared.toString()).isTrue();
        assertThat(compared.path("matching").asLong()).isEqualTo(KeyedCounts.KEYS);
        assertThat(compared.path("a").path("topic").asText()).isEqualTo(source.output());
        assertThat(api.get("/api/v1/namespaces/default/deployments/counts-origin/events").body()).contains("ForkCreated");
        assertThat(api.get("/api/v1/namespaces/default/deployments/counts-fork/events").body()).contains("Forked");
        assertThat(api.post("/api/v1/namespaces/default/deployments/counts-origin/fork?as=counts-fork", "").status())
                .isEqualTo(409);
    }

    @Test
    void aJarPipelineHasTheSameLifecycle() throws Exception {
        java.nio.file.Path jar = dev.sluice.engine.flink.JarPipelineITCase.packageTestJob(dir.resolve("counting-" + target() + ".jar"));
        String yaml = """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: jar-counts
                spec:
                  jar:
                    uri: %s
                    entryClass: dev.sluice.engine.flink.testjob.CountingJob
                  parallelism: 2
                  checkpoints: {interval: 1s}
                """.formatted(jar.toUri());
        TestApi.Response bad = api.post("/api/v1/namespaces/default/deployments",
                yaml.replace("testjob.CountingJob", "testjob.Missing"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").get(0).path("field").asText()).isEqualTo("spec.jar.entryClass");
        assertThat(bad.json().path("errors").get(0).path("line").asInt()).isEqualTo(8);

        assertThat(api.post("/api/v1/namespaces/default/deployments", yaml).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("jar-counts").equals("running"));
        api.post("/api/v1/namespaces/default/deployments/jar-counts/suspend", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("jar-counts").equals("suspended"));
        api.post("/api/v1/namespaces/default/deployments/jar-counts/resume", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("jar-counts").equals("running"));
        assertThat(api.deployment("jar-counts").path("status").path("restoredFrom").asText()).contains("savepoint");
        assertThat(api.post("/api/v1/namespaces/default/deployments/jar-counts/cancel", null).status()).isEqualTo(202);
    }

    @Test
    void userSnapshotsNeedARunningJob() {
        KeyedCounts pipeline = counts("counts-snap", 100_000, 10);
        server.streams().ensureTopic(pipeline.output(), 1);
        assertThat(api.post("/api/v1/namespaces/default/deployments", pipeline.yaml().replace(
                "  parallelism: 2", "  parallelism: 1\n  state: suspended")).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.phase("counts-snap").equals("suspended"));
        TestApi.Response refused = api.post("/api/v1/namespaces/default/deployments/counts-snap/snapshots", null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");

        assertThat(api.post("/api/v1/namespaces/default/deployments/counts-snap/resume", null).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("counts-snap").equals("running"));
        TestApi.Response taken = api.post("/api/v1/namespaces/default/deployments/counts-snap/snapshots", null);
        assertThat(taken.status()).isEqualTo(202);
        String id = taken.json().path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get(
                "/api/v1/namespaces/default/deployments/counts-snap/snapshots/" + id).json().path("state").asText()
                .equals("completed"));
        assertThat(api.post("/api/v1/namespaces/default/deployments/counts-snap/cancel", null).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.phase("counts-snap").equals("cancelled"));
        assertThat(api.delete("/api/v1/namespaces/default/deployments/counts-snap").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/namespaces/default/deployments/counts-snap").status()).isEqualTo(404);
    }
}
