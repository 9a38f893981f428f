package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions whose job fails on every record, on a real MiniCluster: the deployment shows as failing with the cause, and
 * a fix, an automatic rollback or a suspend applied meanwhile takes effect; the keyed aggregates that reach the output
 * in the end are exactly those of an uninterrupted run.
 */
class CrashLoopITCase {
    private static final String DEPLOYMENTS = "/api/v1/namespaces/default/deployments";
    @TempDir
    static Path dir;
    static SluiceServer server;
    static TestApi api;
    static String kafka;

    @BeforeAll
    static void start() {
        server = SluiceServer.start(SluiceConfig.defaults().withDataDir(dir.toString()).withPort(0));
        api = new TestApi("http://127.0.0.1:" + server.port());
        kafka = server.streams().bootstrapServers();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void awaitPhase(String name, String phase, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> api.phase(name).equals(phase));
    }

    private static String events(String name) {
        return api.get(DEPLOYMENTS + "/" + name + "/events").body();
    }

    /** Fails until it shows as failing, with its restarts and the cause Flink reports. */
    private static void awaitFailing(String name) {
        awaitPhase(name, "failing", Duration.ofSeconds(60));
        JsonNode status = api.deployment(name).path("status");
        assertThat(status.path("restarts").asInt()).isPositive();
        assertThat(status.path("error").asText()).contains("fails and the engine restarts it").contains("NumberFormatException: For input string");
    }

    @Test
    void aFixForAFailingFirstVersionRunsFromEmptyStateAndCountsExactly() {
        KeyedCounts counts = new KeyedCounts("loop-first", 300, 100);
        assertThat(api.post(DEPLOYMENTS, counts.failingYaml("")).status()).isEqualTo(201);
        awaitFailing("loop-first");
        assertThat(api.get(DEPLOYMENTS).body()).doesNotContain("\"phase\":\"starting\"");

        TestApi.Response fixed = api.post(DEPLOYMENTS, counts.yaml());
        assertThat(fixed.json().path("version").asInt()).as(fixed.body()).isEqualTo(2);
        awaitPhase("loop-first", "finished", Duration.ofSeconds(90));

        assertThat(events("loop-first")).contains("UpgradeFromRestorePoint").contains("starting from empty state");
        assertThat(counts.committed(kafka)).isEqualTo(KeyedCounts.expected(300));
    }

    @Test
    void aVersionFailingAfterAnUpgradeRollsBackToTheHealthyOneWhichCountsExactly() {
        KeyedCounts counts = new KeyedCounts("loop-upgrade", 1500, 50);
        assertThat(api.post(DEPLOYMENTS, counts.yaml()).status()).isEqualTo(201);
        awaitPhase("loop-upgrade", "running", Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).until(() -> counts.countedInputs(kafka) > 0);

        TestApi.Response failing = api.post(DEPLOYMENTS, counts.failingYaml("  rollback: {maxRestarts: 2}\n"));
        assertThat(failing.json().path("version").asInt()).as(failing.body()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(90)).until(() -> events("loop-upgrade").contains("AutoRollback"));
        awaitPhase("loop-upgrade", "finished", Duration.ofSeconds(120));

        JsonNode status = api.deployment("loop-upgrade").path("status");
        assertThat(status.path("version").asInt()).isEqualTo(1);
        assertThat(status.path("restoredFrom").asText()).contains("savepoint");
        assertThat(events("loop-upgrade")).contains("was running healthy when version 2 replaced it");
        assertThat(counts.committed(kafka)).isEqualTo(KeyedCounts.expected(1500));
    }

    @Test
    void suspendingAFailingVersionStopsItAndAFixResumesFromNothingLost() {
        KeyedCounts counts = new KeyedCounts("loop-suspend", 300, 100);
        assertThat(api.post(DEPLOYMENTS, counts.failingYaml("")).status()).isEqualTo(201);
        awaitFailing("loop-suspend");

        assertThat(api.post(DEPLOYMENTS + "/loop-suspend/suspend", "").status()).isEqualTo(202);
        awaitPhase("loop-suspend", "suspended", Duration.ofSeconds(30));
        assertThat(api.deployment("loop-suspend").path("status").path("jobId").isMissingNode()).isTrue();
        assertThat(events("loop-suspend")).contains("which was failing");

        assertThat(api.post(DEPLOYMENTS, counts.yaml()).status()).isEqualTo(200);
        awaitPhase("loop-suspend", "finished", Duration.ofSeconds(90));
        assertThat(counts.committed(kafka)).isEqualTo(KeyedCounts.expected(300));
    }
}
