package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.KeyedCounts;
import dev.sluice.server.TestApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server at every labelled step of snapshot, suspend, start, upgrade and rollback (the process halts itself
 * at the armed fault point, as with kill -9), restarts it, and checks that it converges to the desired state with
 * exactly one job, restored from a snapshot: never from empty state. Every fault point docs/architecture.md lists is
 * crashed here.
 */
class CrashSafetyITCase {
    private static final String NAME = "crash-counts";
    private static final String DEPLOYMENT = "/api/v1/namespaces/default/deployments/" + NAME;

    @TempDir
    Path dir;
    private Path data;
    private Path log;
    private SluiceProcess sluice;
    private String jobBeforeCrash;

    @Test
    void everyLabelledStepSurvivesACrash() throws Exception {
        data = dir.resolve("data");
        log = Path.of("target", "crash-safety.log").toAbsolutePath(); // kept for a failing run
        Files.deleteIfExists(log);
        KeyedCounts pipeline = new KeyedCounts(NAME, 100_000, 20);
        String v1 = pipeline.yaml();
        sluice = start();
        try {
            createTopic(sluice.api.get("/api/v1/info").json().path("kafka").path("bootstrapServers").asText(),
                    pipeline.output());
            assertThat(sluice.api.post("/api/v1/namespaces/default/deployments", v1).status()).isEqualTo(201);
            awaitPhase("running");
            String kafka = sluice.api.get("/api/v1/info").json().path("kafka").path("bootstrapServers").asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.countedInputs(kafka) >= 20);

            crashAt("snapshot.before-savepoint", () -> sluice.api.post(DEPLOYMENT + "/snapshots", null));
            assertRunningFromState(1);
            crashAt("snapshot.after-savepoint", () -> sluice.api.post(DEPLOYMENT + "/snapshots", null));
            assertRunningFromState(1);
            assertThat(sluice.api.get(DEPLOYMENT + "/snapshots").json().path("items").toString())
                    .doesNotContain("in-progress").contains("\"origin\":\"user\",\"state\":\"completed\"");

            crashAt("suspend.before-savepoint", () -> sluice.api.post(DEPLOYMENT + "/suspend", null));
            assertSuspended();
            crashAt("start.before-submit", () -> sluice.api.post(DEPLOYMENT + "/resume", null));
            assertRunningFromState(1);
            crashAt("suspend.after-savepoint", () -> sluice.api.post(DEPLOYMENT + "/suspend", null));
            assertSuspended();
            crashAt("start.after-submit", () -> sluice.api.post(DEPLOYMENT + "/resume", null));
            assertRunningFromState(1);
            crashAt("suspend.after-snapshot-stored", () -> sluice.api.post(DEPLOYMENT + "/suspend", null));
            assertSuspended();
            sluice.api.post(DEPLOYMENT + "/resume", null);
            assertRunningFromState(1);

            crashAt("upgrade.before-savepoint", () -> apply(v1.replace("parallelism: 2", "parallelism: 1")));
            assertRunningFromState(2);
            crashAt("upgrade.after-savepoint", () -> apply(v1));
            assertRunningFromState(3);
            crashAt("upgrade.before-submit", () -> apply(v1.replace("parallelism: 2", "parallelism: 1")));
            assertRunningFromState(4);
            crashAt("rollback.after-cancel", () -> sluice.api.post(DEPLOYMENT + "/rollback?toVersion=1", null));
            assertRunningFromState(1);
            crashAt("rollback.before-submit", () -> sluice.api.post(DEPLOYMENT + "/rollback?toVersion=4", null));
            assertRunningFromState(4);

            crashAt("upgrade.after-snapshot-stored", () -> apply(v1));
            assertRunningFromState(5);
            crashAt("upgrade.after-submit", () -> apply(v1.replace("parallelism: 2", "parallelism: 1")));
            assertRunningFromState(6);
            crashAt("rollback.before-cancel", () -> sluice.api.post(DEPLOYMENT + "/rollback?toVersion=5", null));
            assertRunningFromState(5);
            crashAt("rollback.after-submit", () -> sluice.api.post(DEPLOYMENT + "/rollback?toVersion=6", null));
            assertRunningFromState(6);

            // A version that fails again and again completes no checkpoint: a fix cancels it and starts from the
            // snapshot it restored (the cancel of an upgrade). Killed before and after that cancel.
            String failing = pipeline.failingYaml("  rollback: {enabled: false}\n");
            apply(failing);
            awaitPhase("failing");
            crashAt("upgrade.before-cancel", () -> apply(v1));
            assertRunningFromState(8);
            apply(failing);
            awaitPhase("failing");
            crashAt("upgrade.after-cancel", () -> apply(v1));
            assertRunningFromState(10);
            assertThat(sluice.api.get(DEPLOYMENT + "/snapshots").json().path("items").toString())
                    .doesNotContain("in-progress");
            sluice.terminate();
        } finally {
            sluice.close();
        }
    }

    private void apply(String yaml) {
        assertThat(sluice.api.post("/api/v1/namespaces/default/deployments", yaml).status()).isEqualTo(200);
    }

    /** Arms the fault point, does the action, waits for the server to die there, and starts it again. */
    private void crashAt(String label, Runnable action) throws Exception {
        jobBeforeCrash = sluice.api.deployment(NAME).path("status").path("jobId").asText(null);
        Files.writeString(data.resolve("fault-point"), label);
        action.run();
        assertThat(sluice.awaitDeath(Duration.ofSeconds(60))).as("halted at " + label).isEqualTo(137);
        Files.delete(data.resolve("fault-point"));
        sluice = start();
    }

    private SluiceProcess start() throws Exception {
        return SluiceProcess.start(data, log, "-Dsluice.faultInjection=true");
    }

    private void awaitPhase(String phase) {
        await().atMost(Duration.ofSeconds(90)).until(() -> sluice.api.phase(NAME).equals(phase));
    }

    private void assertRunningFromState(int version) {
        // The stored status still shows the job from before the crash until the reconciler has looked.
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            JsonNode status = sluice.api.deployment(NAME).path("status");
            return status.path("phase").asText().equals("running") && status.path("version").asInt() == version
                    && !status.path("jobId").asText().equals(jobBeforeCrash);
        });
        JsonNode status = sluice.api.deployment(NAME).path("status");
        assertThat(status.path("restoredFrom").asText()).as("never from empty state").isNotEmpty();
        assertThat(runningJobs()).as("exactly one job").isEqualTo(1);
    }

    private void assertSuspended() {
        awaitPhase("suspended");
        assertThat(sluice.api.deployment(NAME).path("status").has("jobId")).isFalse();
        assertThat(runningJobs()).isZero();
    }

    /** Jobs of the deployment that Flink runs (or is starting), asked of Flink itself. */
    private long runningJobs() {
        String flink = sluice.api.get("/api/v1/info").json().path("targets").get(0).path("rest").asText();
        JsonNode jobs = new TestApi(flink).get("/jobs/overview").json().path("jobs");
        return StreamSupport.stream(jobs.spliterator(), false)
                .filter(j -> j.path("name").asText().startsWith("default/" + NAME + " "))
                .filter(j -> !j.path("state").asText().matches("FINISHED|CANCELED|FAILED"))
                .count();
    }

    private static void createTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(java.util.List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }
}
