package dev.sluice.server;

import static dev.sluice.server.TestDocuments.suspendedPipeline;
import static org.assertj.core.api.Assertions.assertThat;
import static dev.sluice.server.TestDocuments.line;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole control plane in this JVM with its real parts: a MiniCluster, a KRaft broker and H2. */
class SluiceServerITCase {
    @TempDir
    static Path dir;
    static SluiceServer server;
    static TestApi api;

    @BeforeAll
    static void start() {
        server = start(dir);
        api = new TestApi("http://127.0.0.1:" + server.port());
    }

    static SluiceServer start(Path data) {
        return SluiceServer.start(SluiceConfig.defaults().withDataDir(data.toString()).withPort(0));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void infoNamesTheApiAndTheBroker() {
        JsonNode info = api.get("/api/v1/info").json();
        assertThat(info.path("kafka").path("bootstrapServers").asText()).startsWith("127.0.0.1:");
        assertThat(info.path("targets").get(0).path("name").asText()).isEqualTo("embedded");
        assertThat(server.targetsLine()).as("what the banner of sluice up lists")
                .isEqualTo("embedded " + info.path("targets").get(0).path("rest").asText());
        assertThat(api.get("/readyz").status()).isEqualTo(200);
        assertThat(api.get("/metrics").body()).contains("sluice_deployments");
        assertThat(api.get("/api/v1/openapi.yaml").body()).startsWith("openapi:");
    }

    @Test
    void aTargetThatDoesNotAnswerAtStartIsShownAsSuch(@TempDir Path data) throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String rest = "http://127.0.0.1:" + closed;
        try (SluiceServer withGone = SluiceServer.start(SluiceConfig.defaults().withDataDir(data.toString()).withPort(0)
                .withTargets(List.of(new SluiceConfig.Target("gone", "flink-session", rest))))) {
            assertThat(withGone.targetsLine()).endsWith(" ; gone " + rest + " (not answering)");
            JsonNode gone = new TestApi("http://127.0.0.1:" + withGone.port()).get("/api/v1/info").json()
                    .path("targets").get(1);
            assertThat(gone.path("reachableAtStart").asBoolean()).isFalse();
        }
    }

    @Test
    void aTakenPortFailsTheStartAndLeavesNoPartRunning(@TempDir Path data) throws Exception {
        // The parts start while the HTTP server binds its port: a start that fails there closes each of them.
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            SluiceConfig config = SluiceConfig.defaults().withDataDir(data.toString()).withPort(taken.getLocalPort());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SluiceServer.start(config))
                    .hasStackTraceContaining(Integer.toString(taken.getLocalPort()));
        }
        assertThat(Thread.getAllStackTraces().keySet()).as("threads of a broker or a Flink cluster left running")
                .noneMatch(t -> t.getName().startsWith("sluice-start"));
        // The broker's log directory and the H2 database are free again: a start on the same directory works.
        try (SluiceServer again = start(data)) {
            assertThat(new TestApi("http://127.0.0.1:" + again.port()).get("/readyz").status()).isEqualTo(200);
        }
    }

    @Test
    void errorsAreProblemDocuments() {
        TestApi.Response missing = api.get("/api/v1/namespaces/default/deployments/nope");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().path("detail").asText()).contains("nope");
        TestApi.Response badNamespace = api.get("/api/v1/namespaces/Bad_NS/deployments");
        assertThat(badNamespace.status()).isEqualTo(400);
        assertThat(badNamespace.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/api/v1/nothing-here").contentType()).startsWith("application/problem+json");
    }

    @Test
    void badSpecsAreRefusedWithTheirPlaceAndChangeNothing() {
        String good = new KeyedCounts("refused", 10, 1).yaml();
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {good.replace("  parallelism: 2", "  paralelism: 2"), "spec.paralelism",
                line(good, "  parallelism: 2"), "paralelism"});
        cases.add(new String[] {good.replace("  parallelism: 2", "  parallelism: two"), "spec.parallelism",
                line(good, "  parallelism: 2"), "whole number"});
        cases.add(new String[] {good.replace("  name: refused\n", "  labels: {a: b}\n"), "metadata.name",
                line(good, "  name: refused"), "required"});
        cases.add(new String[] {good.replace("SELECT CONCAT", "SELEC CONCAT"), "spec.sql",
                line(good, "INSERT INTO counts"), "statement 3"});
        cases.add(new String[] {good.replace("'connector' = 'upsert-kafka'", "'connector' = 'upsert-kafkaa'"),
                "spec.sql", line(good, "CREATE TABLE counts"), "upsert-kafkaa"});
        for (String[] c : cases) {
            TestApi.Response r = api.post("/api/v1/namespaces/default/deployments", c[0]);
            assertThat(r.status()).as(c[3]).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            JsonNode error = r.json().path("errors").get(0);
            assertThat(error.path("field").asText()).as(r.body()).isEqualTo(c[1]);
            assertThat(error.path("line").asText()).as(r.body()).isEqualTo(c[2]);
            assertThat(error.path("column").asInt()).as(r.body()).isPositive();
            assertThat(error.path("message").asText()).as(r.body()).contains(c[3]);
        }
        assertThat(api.get("/api/v1/namespaces/default/deployments/refused").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/namespaces/default/events").json().path("items").toString()).doesNotContain("refused");
    }


    @Test
    void aFileOfSeveralPipelinesIsAppliedAsASetAllOrNothing() {
        String deployments = "/api/v1/namespaces/default/deployments";
        String first = suspendedPipeline("set-a", "");
        String badSecond = suspendedPipeline("set-b", "parallelism: 1.5\n")
                .replace("SELECT n FROM s;", "SELECT n FROM s WHERE;");

        TestApi.Response refused = api.post(deployments, first + "---\n" + badSecond);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        JsonNode errors = refused.json().path("errors");
        assertThat(errors).as(refused.body()).hasSize(1);
        assertThat(errors.get(0).path("document").asInt()).isEqualTo(2);
        assertThat(errors.get(0).path("field").asText()).isEqualTo("spec.parallelism");
        assertThat(errors.get(0).path("line").asInt()).isEqualTo(22);

        String sqlError = suspendedPipeline("set-b", "").replace("SELECT n FROM s;", "SELECT n FROM s WHERE;");
        JsonNode sql = api.post(deployments, first + "---\n" + sqlError).json().path("errors").get(0);
        assertThat(sql.path("document").asInt()).isEqualTo(2);
        assertThat(sql.path("line").asInt()).isEqualTo(21);
        assertThat(sql.path("message").asText()).contains("ends too soon, after \"WHERE\"");

        TestApi.Response twice = api.post(deployments, first + "---\n" + first);
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.json().path("errors").get(0).path("message").asText())
                .isEqualTo("deployment default/set-a is also document 1; a file names each deployment once");
        assertThat(api.get(deployments + "/set-a").status()).as("nothing applied").isEqualTo(404);
        assertThat(api.get(deployments + "/set-b").status()).isEqualTo(404);

        TestApi.Response applied = api.post(deployments, first + "---\n" + suspendedPipeline("set-b", "") + "---\n");
        assertThat(applied.status()).as(applied.body()).isEqualTo(201);
        assertThat(applied.json().path("items")).extracting(item -> item.path("result").asText() + " "
                + item.path("deployment").path("metadata").path("name").asText())
                .containsExactly("created set-a", "created set-b");
        assertThat(api.get(deployments + "/set-b").json().path("spec").path("state").asText()).isEqualTo("suspended");

        TestApi.Response again = api.post(deployments,
                first + "---\n" + suspendedPipeline("set-b", "parallelism: 2\n"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("items")).extracting(item -> item.path("result").asText() + " "
                + item.path("version").asInt()).containsExactly("unchanged 1", "updated 2");
    }

    @Test
    void keysGivenTwiceAndFractionsAreRefusedOverRest() {
        String deployments = "/api/v1/namespaces/default/deployments";
        TestApi.Response twice = api.post(deployments, suspendedPipeline("dup", "parallelism: -7\nparallelism: 1\n"));
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.json().path("errors").get(0).path("message").asText())
                .isEqualTo("duplicate key 'parallelism' (first at line 11, again at line 12); give each key once");
        TestApi.Response fraction = api.post(deployments, suspendedPipeline("dup", "parallelism: 1.5\n"));
        assertThat(fraction.status()).isEqualTo(400);
        assertThat(fraction.json().path("errors").get(0).path("line").asInt()).isEqualTo(11);
        assertThat(api.get(deployments + "/dup").status()).isEqualTo(404);
    }
}
