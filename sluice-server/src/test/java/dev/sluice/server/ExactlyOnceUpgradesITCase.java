package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under load through many stateful upgrades: while a generator writes per-key sequence numbers, the
 * pipeline is upgraded again and again, alternating its query variant and its parallelism (1 and 2). The output,
 * read read_committed, must have no lost, duplicated or out-of-order sequence number per key, and per-key counts (the
 * pipeline's state) equal to the number of inputs. {@code -Dsluice.upgrades=50} runs the long variant.
 */
class ExactlyOnceUpgradesITCase {
    private static final String NAME = "sequences";
    @TempDir
    Path dir;

    @Test
    void statefulUpgradesUnderLoadLoseAndDuplicateNothing() throws Exception {
        int upgrades = Integer.getInteger("sluice.upgrades", 10);
        try (SluiceServer server = SluiceServer.start(SluiceConfig.defaults().withDataDir(dir.toString()).withPort(0))) {
            TestApi api = new TestApi("http://127.0.0.1:" + server.port());
            String kafka = server.streams().bootstrapServers();
            server.streams().ensureTopic("seq-in", 2);
            server.streams().ensureTopic("seq-out", 2);
            SequenceVerifier load = new SequenceVerifier(kafka, "seq-in", 20, 200);
            assertThat(api.post("/api/v1/namespaces/default/deployments",
                    SequenceVerifier.pipeline(NAME, "seq-in", "seq-out", 0, 2)).status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.phase(NAME).equals("running"));
            for (int i = 1; i <= upgrades; i++) {
                int version = i + 1;
                TestApi.Response applied = api.post("/api/v1/namespaces/default/deployments",
                        SequenceVerifier.pipeline(NAME, "seq-in", "seq-out", i % 2, 2 - i % 2));
                assertThat(applied.json().path("version").asInt()).as(applied.body()).isEqualTo(version);
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    var status = api.deployment(NAME).path("status");
                    return status.path("phase").asText().equals("running") && status.path("version").asInt() == version;
                });
                assertThat(api.deployment(NAME).path("status").path("restoredFrom").asText()).contains("savepoint");
                Thread.sleep(1500); // let records and a checkpoint through between upgrades
            }
            load.stopAndAssertExactlyOnce("seq-out", Duration.ofSeconds(60));
            assertThat(api.get("/api/v1/namespaces/default/deployments/" + NAME + "/events").body())
                    .doesNotContain("UpgradeFromCheckpoint").doesNotContain("\"Failed\"");
        }
    }
}
