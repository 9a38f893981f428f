package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.server.S3ProxyServer.S3Object;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots on an S3-compatible object store (s3proxy, started by the test) through Flink's S3 file system plugin:
 * savepoints of a suspend and the restore of a resume, retained checkpoints with entropy injection (data files under
 * random key prefixes, {@code _metadata} without them), and a restarted Sluice restoring from the newest of those.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3SnapshotsITCase {
    private static final String BUCKET = "sluice-snapshots";
    private static final String PREFIX = "sluice/";
    @TempDir
    static Path dir;
    S3ProxyServer s3;
    SluiceServer server;
    TestApi api;

    @BeforeAll
    void start() throws Exception {
        s3 = S3ProxyServer.start(dir.resolve("s3"));
        s3.createBucket(BUCKET);
        startSluice();
    }

    private void startSluice() {
        server = SluiceServer.start(SluiceConfig.defaults().withDataDir(dir.resolve("sluice").toString()).withPort(0)
                .withSnapshots(new SluiceConfig.Snapshots("s3://" + BUCKET + "/sluice", null))
                .withFlinkConfiguration(Map.of(
                        "s3.endpoint", s3.endpoint(),
                        "s3.path.style.access", "true",
                        "s3.access-key", S3ProxyServer.ACCESS_KEY,
                        "s3.secret-key", S3ProxyServer.SECRET_KEY,
                        // State this small would be inlined into _metadata; write every chunk as a file, as
                        // production-sized state is.
                        "execution.checkpointing.data-inline-threshold", "0")));
        api = new TestApi("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void suspendAndResumeThroughS3KeepKeyedStateExactly() {
        KeyedCounts pipeline = new KeyedCounts("s3-suspend", 400, 40);
        String kafka = server.streams().bootstrapServers();
        server.streams().ensureTopic(pipeline.output(), 1);
        assertThat(api.get("/api/v1/info").json().path("snapshots").toString())
                .contains("\"location\":\"s3://" + BUCKET + "/sluice\"", "\"entropy\":true");

        TestApi.Response applied = api.post("/api/v1/namespaces/default/deployments", pipeline.yaml());
        assertThat(applied.status()).as(applied.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("s3-suspend").equals("running"));
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.countedInputs(kafka) >= 80);

        // While the job runs, its retained checkpoints are on S3: data spread over random prefixes, _metadata not.
        String checkpoints = "checkpoints/default/s3-suspend-";
        await().atMost(Duration.ofSeconds(60)).until(() -> !metadata(checkpoints).isEmpty()
                && checkpointData(checkpoints).size() >= 4);
        assertThat(metadata(checkpoints)).allSatisfy(key -> assertThat(key)
                .matches(Pattern.quote(PREFIX + checkpoints) + "[0-9a-f]{8}/[0-9a-f]{32}/chk-\\d+/_metadata"));
        List<String> data = checkpointData(checkpoints);
        assertThat(data).allSatisfy(key -> assertThat(key)
                .matches(Pattern.quote(PREFIX) + "[A-Za-z0-9]{4}/" + Pattern.quote(checkpoints) + "[0-9a-f]{8}/.+")
                .doesNotStartWith(PREFIX + "_entropy_/"));
        Set<String> entropy = data.stream().map(key -> key.split("/")[1]).collect(Collectors.toSet());
        assertThat(entropy).as("each data file gets its own random prefix").hasSizeGreaterThan(1);

        assertThat(api.post("/api/v1/namespaces/default/deployments/s3-suspend/suspend", null).status())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("s3-suspend").equals("suspended"));
        long counted = pipeline.countedInputs(kafka);
        assertThat(counted).as("suspended mid-way").isBetween(80L, 399L);
        JsonNode snapshot = api.get("/api/v1/namespaces/default/deployments/s3-suspend/snapshots").json()
                .path("items").get(0);
        assertThat(snapshot.path("origin").asText()).isEqualTo("suspend");
        assertThat(snapshot.path("state").asText()).isEqualTo("completed");
        String location = snapshot.path("location").asText();
        String savepointDir = "savepoints/default/s3-suspend/" + snapshot.path("id").asText() + "/";
        assertThat(location).startsWith("s3://" + BUCKET + "/" + PREFIX + savepointDir + "savepoint-");
        List<String> savepoint = keys(PREFIX + savepointDir);
        assertThat(savepoint).as("a savepoint is self-contained, without entropy")
                .contains(location.substring(("s3://" + BUCKET + "/").length()) + "/_metadata")
                .hasSizeGreaterThan(1);

        assertThat(api.post("/api/v1/namespaces/default/deployments/s3-suspend/resume", null).status())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("s3-suspend").equals("running"));
        assertThat(api.deployment("s3-suspend").path("status").path("restoredFrom").asText()).isEqualTo(location);
        await().atMost(Duration.ofSeconds(90)).until(() -> api.phase("s3-suspend").equals("finished"));
        assertThat(pipeline.committed(kafka)).isEqualTo(KeyedCounts.expected(400));
        assertThat(api.get("/api/v1/namespaces/default/deployments/s3-suspend/events").body())
                .contains("suspending -> suspended", "SnapshotCompleted", "restoring snapshot");
    }

    @Test
    void aRestartedSluiceRestoresFromTheNewestCheckpointOnS3() {
        KeyedCounts pipeline = new KeyedCounts("s3-restart", 600, 30);
        server.streams().ensureTopic(pipeline.output(), 1);
        String kafka = server.streams().bootstrapServers();
        assertThat(api.post("/api/v1/namespaces/default/deployments", pipeline.yaml()).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("s3-restart").equals("running"));
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.countedInputs(kafka) >= 100);
        String checkpoints = "checkpoints/default/s3-restart-";
        await().atMost(Duration.ofSeconds(30)).until(() -> !metadata(checkpoints).isEmpty());

        // Stops the reconciler and the embedded cluster without a savepoint: the job is gone, its checkpoints stay.
        String lostJob = api.deployment("s3-restart").path("status").path("jobId").asText();
        server.close();
        String newest = metadata(checkpoints).stream()
                .max(Comparator.comparingLong(S3SnapshotsITCase::checkpointNumber)).orElseThrow();
        startSluice();

        String restarted = server.streams().bootstrapServers();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode now = api.deployment("s3-restart").path("status");
            return !now.path("jobId").asText().equals(lostJob) && now.path("phase").asText().equals("running");
        });
        JsonNode status = api.deployment("s3-restart").path("status");
        assertThat(status.path("restoredFrom").asText()).as("the newest retained checkpoint, without entropy")
                .isEqualTo("s3://" + BUCKET + "/" + newest.substring(0, newest.length() - "/_metadata".length()))
                .matches("s3://" + BUCKET + "/sluice/checkpoints/default/s3-restart-[0-9a-f]{8}/[0-9a-f]{32}/chk-\\d+");
        await().atMost(Duration.ofSeconds(90)).until(() -> api.phase("s3-restart").equals("finished"));
        assertThat(pipeline.committed(restarted)).isEqualTo(KeyedCounts.expected(600));
        assertThat(api.get("/api/v1/namespaces/default/deployments/s3-restart/events").body()).contains("JobLost");
    }

    /** Keys of the completed checkpoints' {@code _metadata} files of a deployment's checkpoints. */
    private List<String> metadata(String checkpoints) {
        return s3.objects(BUCKET, PREFIX).stream().map(S3Object::key)
                .filter(key -> key.contains("/" + checkpoints) && key.endsWith("/_metadata")).toList();
    }

    /** Keys of the checkpoint data files of a deployment (not {@code _metadata}, not empty directory markers). */
    private List<String> checkpointData(String checkpoints) {
        return s3.objects(BUCKET, PREFIX).stream()
                .filter(o -> o.size() > 0 && o.key().contains("/" + checkpoints) && !o.key().endsWith("/_metadata"))
                .map(S3Object::key).toList();
    }

    private List<String> keys(String prefix) {
        return s3.objects(BUCKET, prefix).stream().map(S3Object::key).toList();
    }

    private static long checkpointNumber(String metadataKey) {
        Matcher m = Pattern.compile("/chk-(\\d+)/_metadata$").matcher(metadataKey);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
