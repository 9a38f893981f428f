package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cluster.FlinkCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes of a real Flink cluster under a stateful exactly-once pipeline. A TaskManager killed with SIGKILL: Flink
 * restarts the job from its latest checkpoint by itself. The JobManager killed with SIGKILL (no Flink HA, so the job
 * is gone with it): Sluice waits while the cluster does not answer, and once a JobManager is back it submits the job
 * again from the newest retained checkpoint. Per-key sequence numbers prove the output lost and duplicated nothing.
 */
class FailoverITCase {
    private static final String NAME = "failover";

    @TempDir
    Path dir;

    @Test
    void taskManagerAndJobManagerCrashesLoseAndDuplicateNothing() throws Exception {
        // Under target/, not the temporary directory: the cluster's logs stay for a look after a failure.
        RemoteClusters.stop(FlinkCluster.at(Path.of("target", "flink-failover"))); // left over by an aborted run
        FlinkCluster cluster = RemoteClusters.start(Path.of("target", "flink-failover"), 2, 2);
        try (SluiceServer server = SluiceServer.start(SluiceConfig.defaults().withDataDir(dir.resolve("sluice").toString())
                .withPort(0).withTargets(List.of(
                        new SluiceConfig.Target("cluster", "flink-session", cluster.restUrl().toString()))))) {
            TestApi api = new TestApi("http://127.0.0.1:" + server.port());
            String kafka = server.streams().bootstrapServers();
            server.streams().ensureTopic("fo-in", 2);
            server.streams().ensureTopic("fo-out", 2);
            try (SequenceVerifier load = new SequenceVerifier(kafka, "fo-in", 20, 200)) {
                assertThat(api.post("/api/v1/namespaces/default/deployments",
                        SequenceVerifier.pipeline(NAME, "fo-in", "fo-out", 0, 2, "cluster")).status()).isEqualTo(201);
                await().atMost(Duration.ofSeconds(90)).until(() -> api.phase(NAME).equals("running"));
                String jobId = api.deployment(NAME).path("status").path("jobId").asText();
                await().atMost(Duration.ofSeconds(60)).until(() -> load.verify("fo-out").records() > 200);

                // A TaskManager that runs tasks dies: Flink restarts the same job from its latest checkpoint on what
                // is left.
                int busy = cluster.busyTaskManagers().get(0);
                cluster.killTaskManager(busy);
                await().atMost(Duration.ofSeconds(90)).until(() -> api.get(events()).body().contains("JobRestarted"));
                await().atMost(Duration.ofSeconds(90)).until(() -> api.phase(NAME).equals("running"));
                assertThat(api.deployment(NAME).path("status").path("jobId").asText()).isEqualTo(jobId);
                cluster.startTaskManager(busy); // as a supervisor would
                long afterTaskManager = load.verify("fo-out").records();
                await().atMost(Duration.ofSeconds(60)).until(() -> load.verify("fo-out").records() > afterTaskManager + 200);

                // The JobManager dies, and with it the job: nothing is started while the cluster does not answer.
                cluster.killJobManager();
                await().atMost(Duration.ofSeconds(30)).until(() -> api.deployment(NAME).path("status").path("error")
                        .asText().startsWith("target unreachable: cluster"));
                cluster.startJobManager();
                await().atMost(Duration.ofSeconds(120)).until(() -> {
                    JsonNode status = api.deployment(NAME).path("status");
                    return status.path("phase").asText().equals("running")
                            && !status.path("jobId").asText().equals(jobId);
                });
                JsonNode status = api.deployment(NAME).path("status");
                assertThat(status.path("restoredFrom").asText()).as(status.toString()).contains("/chk-");
                assertThat(status.has("error")).as(status.toString()).isFalse();
                assertThat(api.get(events()).body()).contains("TargetUnreachable", "JobLost", "TargetReachable");
                long afterJobManager = load.verify("fo-out").records();
                await().atMost(Duration.ofSeconds(60)).until(() -> load.verify("fo-out").records() > afterJobManager + 200);

                load.stopAndAssertExactlyOnce("fo-out", Duration.ofSeconds(90));
            }
            assertThat(api.post("/api/v1/namespaces/default/deployments/" + NAME + "/cancel", null).status())
                    .isEqualTo(202);
        } finally {
            RemoteClusters.stop(cluster);
        }
    }

    private static String events() {
        return "/api/v1/namespaces/default/deployments/" + NAME + "/events";
    }
}
