package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.KeyedCounts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the Sluice process while a keyed, stateful pipeline runs: the restarted server brings it back
 * from its newest retained checkpoint, and the pipeline ends with exactly the aggregates of an uninterrupted run. A
 * suspended deployment stays suspended across the crash and across a clean restart.
 */
class KillNineITCase {
    @TempDir
    Path dir;

    @Test
    void aKilledServerLosesNothing() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("sluice.log");
        KeyedCounts running = new KeyedCounts("counts-kill", 600, 30);
        KeyedCounts parked = new KeyedCounts("counts-parked", 100_000, 10);
        String kafka;
        try (SluiceProcess first = SluiceProcess.start(data, log)) {
            kafka = first.api.get("/api/v1/info").json().path("kafka").path("bootstrapServers").asText();
            createTopics(kafka, running.output(), parked.output());
            assertThat(first.api.post("/api/v1/namespaces/default/deployments", running.yaml()).status()).isEqualTo(201);
            assertThat(first.api.post("/api/v1/namespaces/default/deployments", parked.yaml()).status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(60)).until(() -> first.api.phase("counts-parked").equals("running"));
            first.api.post("/api/v1/namespaces/default/deployments/counts-parked/suspend", null);
            await().atMost(Duration.ofSeconds(60)).until(() -> first.api.phase("counts-parked").equals("suspended"));
            await().atMost(Duration.ofSeconds(60)).until(() -> running.countedInputs(kafka) >= 100);
            first.kill();
        }

        try (SluiceProcess second = SluiceProcess.start(data, log)) {
            String bootstrap = second.api.get("/api/v1/info").json().path("kafka").path("bootstrapServers").asText();
            assertThat(bootstrap).as("the broker keeps its port").isEqualTo(kafka);
            long committedBefore = running.countedInputs(kafka);
            assertThat(committedBefore).isBetween(100L, 599L);
            // Until the first reconcile pass has looked, the stored status is the killed process's (running, no
            // restore point): wait for the job that replaced the lost one.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode now = second.api.deployment("counts-kill").path("status");
                return now.path("phase").asText().equals("running") && now.path("restoredFrom").asText().contains("chk-");
            });
            JsonNode status = second.api.deployment("counts-kill").path("status");
            assertThat(status.path("restoredFrom").asText()).as("restored from a retained checkpoint").contains("chk-");
            await().atMost(Duration.ofSeconds(90)).until(() -> second.api.phase("counts-kill").equals("finished"));
            assertThat(running.committed(kafka)).isEqualTo(KeyedCounts.expected(600));
            assertThat(second.api.get("/api/v1/namespaces/default/deployments/counts-kill/events").body())
                    .contains("JobLost");

            Thread.sleep(3000); // several reconcile passes
            assertThat(second.api.phase("counts-parked")).isEqualTo("suspended");
            assertThat(second.api.deployment("counts-parked").path("status").has("jobId")).isFalse();
            second.terminate();
        }

        try (SluiceProcess third = SluiceProcess.start(data, log)) {
            Thread.sleep(3000);
            assertThat(third.api.phase("counts-parked")).isEqualTo("suspended");
            assertThat(third.api.phase("counts-kill")).isEqualTo("finished");
            third.terminate();
        }
    }

    private static void createTopics(String bootstrap, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(java.util.Arrays.stream(topics).map(t -> new NewTopic(t, 1, (short) 1)).toList())
                    .all().get();
        }
    }
}
