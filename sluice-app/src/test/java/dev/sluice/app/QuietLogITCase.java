package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice up --demo} with the log configuration users get: a start, the demo pipeline through its first
 * checkpoints (where the Kafka source used to warn about offset commits with stack traces), and a clean stop print
 * no stack trace; every log line is one line.
 */
class QuietLogITCase {
    @TempDir
    Path dir;

    @Test
    void aDemoRunPrintsNoStackTraces() throws Exception {
        Path log = dir.resolve("up.log");
        Path config = SluiceProcess.repositoryRoot().resolve("sluice-app/src/main/resources/log4j2.xml");
        try (SluiceProcess sluice = SluiceProcess.start(dir.resolve("data"), log, List.of("--demo"),
                "-Dlog4j2.configurationFile=" + config)) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> sluice.api.phase("ride-demand").equals("running"));
            // The first checkpoints commit the source's offsets to a group coordinator that may not be ready yet.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> completedCheckpoints(sluice) >= 2);
            assertThat(sluice.terminate()).as("the status of SIGTERM").isEqualTo(143);
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).as("the log of a demo run").isNotEmpty()
                .noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by:")
                        || line.matches("^[a-z]+(\\.[a-zA-Z0-9_$]+)+(Exception|Error)(:.*)?$"));
        assertThat(lines).as("no warning about retriable offset commits")
                .noneMatch(line -> line.contains("Failed to commit consumer offsets"));
    }

    /** Completed checkpoints of the demo's job, from the embedded Flink's REST API. */
    private static int completedCheckpoints(SluiceProcess sluice) {
        var deployment = sluice.api.get("/api/v1/namespaces/default/deployments/ride-demand").json();
        String jobId = deployment.path("status").path("jobId").asText("");
        String rest = sluice.api.get("/api/v1/info").json().path("targets").get(0).path("rest").asText();
        if (jobId.isEmpty() || rest.isEmpty()) {
            return 0;
        }
        return new dev.sluice.server.TestApi(rest).get("/jobs/" + jobId + "/checkpoints").json()
                .path("counts").path("completed").asInt(0);
    }
}
