package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A real cluster: one JobManager and two TaskManagers with one slot each, as separate JVMs. The tests run in order
 * against the one cluster, the last one stops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FlinkClusterITCase {

    private static final Path DIR = Path.of("target", "it-flink-cluster").toAbsolutePath();
    private static final Duration READY = Duration.ofSeconds(90);

    private static FlinkCluster cluster;
    private static int restPort;

    @BeforeAll
    static void startCluster() throws Exception {
        FlinkCluster.at(DIR).stop(); // a cluster a killed earlier run left behind
        deleteRecursively(DIR);
        restPort = freePort();
        cluster = FlinkCluster.at(DIR).withConfig("cluster.evenly-spread-out-slots", "true");
        long began = System.nanoTime();
        assertThat(cluster.start(2, 1, restPort)).isEqualTo(FlinkCluster.StartOutcome.STARTED);
        cluster.awaitReady(READY);
        System.out.printf("cluster ready in %.1f s%n", (System.nanoTime() - began) / 1e9);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    @Order(1)
    void statusShowsTheJobManagerTwoTaskManagersAndTwoSlots() {
        ClusterStatus status = cluster.status();

        assertThat(status.state()).isEqualTo(ClusterStatus.State.RUNNING);
        assertThat(status.restUrl()).contains(cluster.restUrl());
        assertThat(cluster.restUrl().toString()).isEqualTo("http://127.0.0.1:" + restPort + "/");
        assertThat(status.members()).extracting(m -> m.member().name())
                .containsExactly("jobmanager-0", "taskmanager-0", "taskmanager-1");
        assertThat(status.members()).allSatisfy(m -> assertThat(m.alive()).isTrue());
        ClusterStatus.Overview overview = status.overview().orElseThrow();
        assertThat(overview.flinkVersion()).isEqualTo("2.2.0");
        assertThat(overview.taskManagers()).isEqualTo(2);
        assertThat(overview.slotsTotal()).isEqualTo(2);
        assertThat(overview.taskManagerIds()).containsExactlyInAnyOrder("taskmanager-0", "taskmanager-1");
        assertThat(DIR.resolve("conf/config.yaml")).content()
                .contains("rest.port: " + restPort, "cluster.evenly-spread-out-slots: true");
        assertThat(DIR.resolve("log/jobmanager-0.log")).isNotEmptyFile();
        assertThat(DIR.resolve("log/taskmanager-1.log")).isNotEmptyFile();
    }

    @Test
    @Order(2)
    void runsAJobSubmittedOverRestAcrossBothTaskManagers() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2); // two slots: one on each TaskManager, and a network shuffle between them
        env.enableCheckpointing(200);
        // Flink's own classes only: the cluster has no jar of this test.
        env.fromSequence(1, 1_000_000).rebalance().sinkTo(new DiscardingSink<>());
        JobGraph job = env.getStreamGraph().getJobGraph();

        Configuration config = new Configuration();
        config.set(RestOptions.ADDRESS, "127.0.0.1");
        config.set(RestOptions.PORT, restPort);
        try (RestClusterClient<StandaloneClusterId> client =
                new RestClusterClient<>(config, StandaloneClusterId.getInstance())) {
            JobID id = client.submitJob(job).get(60, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(60)).until(
                    () -> client.getJobStatus(id).get(), s -> s == JobStatus.RUNNING || s == JobStatus.FINISHED);
            JobResult result = client.requestJobResult(id).get(120, TimeUnit.SECONDS);
            assertThat(result.isSuccess()).as("job result %s", result).isTrue();
            assertThat(client.getJobStatus(id).get()).isEqualTo(JobStatus.FINISHED);
        }
    }

    @Test
    @Order(3)
    void startingARunningClusterAgainChangesNothing() throws Exception {
        long jobManager = cluster.pid(Member.jobManager()).orElseThrow();

        assertThat(cluster.start(3, 4, restPort)).isEqualTo(FlinkCluster.StartOutcome.ALREADY_RUNNING);

        assertThat(cluster.pid(Member.jobManager())).hasValue(jobManager);
        assertThat(cluster.shape().orElseThrow()).isEqualTo(new ClusterShape(2, 1, restPort,
                cluster.shape().orElseThrow().rpcPort()));

        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cli = FlinkClusterMain.commandLine();
        cli.setOut(new java.io.PrintWriter(out, true));
        int exitCode = cli.execute("start", "--dir", DIR.toString(), "--taskmanagers", "2", "--slots", "1",
                "--rest-port", String.valueOf(restPort), "-D", "s3.endpoint=http://elsewhere:9000");
        assertThat(exitCode).isZero();
        assertThat(out.toString()).contains("Already running", "The -D options were not applied");
        assertThat(DIR.resolve("conf/config.yaml")).content().doesNotContain("elsewhere");
        assertThat(cluster.pid(Member.jobManager())).hasValue(jobManager);
    }

    @Test
    @Order(4)
    void aKilledTaskManagerDropsOutAndRegistersAgainWhenStarted() throws Exception {
        cluster.killTaskManager(1);

        assertThat(cluster.status().members().get(2).alive()).isFalse();
        await().atMost(Duration.ofSeconds(30)).until(
                () -> cluster.status().overview().map(o -> o.taskManagerIds()), ids -> ids.isPresent()
                        && ids.get().equals(Set.of("taskmanager-0")));
        assertThat(cluster.status().state()).isEqualTo(ClusterStatus.State.DEGRADED);

        cluster.startTaskManager(1);
        cluster.awaitReady(READY);

        assertThat(cluster.status().overview().orElseThrow().taskManagerIds())
                .containsExactlyInAnyOrder("taskmanager-0", "taskmanager-1");
    }

    @Test
    @Order(5)
    void aKilledJobManagerComesBackOnTheSameRestPort() throws Exception {
        cluster.killJobManager();

        assertThat(cluster.status().overview()).isEmpty();
        assertThat(cluster.status().state()).isEqualTo(ClusterStatus.State.DEGRADED);

        cluster.startJobManager();
        cluster.awaitReady(READY);

        assertThat(cluster.status().state()).isEqualTo(ClusterStatus.State.RUNNING);
        assertThat(cluster.status().overview().orElseThrow().slotsTotal()).isEqualTo(2);
    }

    @Test
    @Order(6)
    void stopLeavesNoProcessAndFreesTheRestPort() throws Exception {
        List<Long> pids = cluster.status().members().stream().map(m -> m.pid().orElseThrow()).toList();

        assertThat(cluster.stop()).extracting(Member::name)
                .containsExactly("jobmanager-0", "taskmanager-0", "taskmanager-1");

        assertThat(pids).allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
        String confDir = DIR.resolve("conf").toString();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(args -> Arrays.asList(args).contains(confDir)).orElse(false))).isEmpty();
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), restPort));
        }
        assertThat(cluster.status().state()).isEqualTo(ClusterStatus.State.STOPPED);
        assertThat(DIR.resolve("pid")).isEmptyDirectory();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
