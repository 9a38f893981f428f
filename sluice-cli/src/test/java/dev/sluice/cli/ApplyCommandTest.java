package dev.sluice.cli;

import static dev.sluice.cli.Runs.deployment;
import static dev.sluice.cli.Runs.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplyCommandTest {
    static final String YAML = """
            apiVersion: sluice.dev/v1
            kind: Pipeline
            metadata:
              name: ride-demand
            spec:
              sql: |
                INSERT INTO a SELECT * FROM b;
              parallelism: 0
            """;

    @TempDir
    Path dir;

    FakeSluice sluice;
    Path file;

    @BeforeEach
    void start() throws Exception {
        sluice = new FakeSluice();
        file = Files.writeString(dir.resolve("pipeline.yaml"), YAML);
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void postsTheFileAsIsAndPrintsResultAndVersion() {
        sluice.on("POST", "/api/v1/namespaces/team/deployments", 201,
                "{\"result\":\"created\",\"version\":1,\"deployment\":" + deployment("ride-demand", "pending") + "}");

        Runs.Result r = run("apply", "-f", file.toString(), "-n", "team", "--server", sluice.url());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("deployment default/ride-demand created (version 1)\n");
        FakeSluice.Request request = sluice.requests().get(0);
        assertThat(request.body()).isEqualTo(YAML);
        assertThat(request.contentType()).isEqualTo("application/yaml");
    }

    @Test
    void readsStandardInputForDash() {
        sluice.on("POST", "/api/v1/namespaces/default/deployments", 200,
                "{\"result\":\"unchanged\",\"version\":4,\"deployment\":" + deployment("ride-demand", "running") + "}");
        InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream(YAML.getBytes(StandardCharsets.UTF_8)));
        try {
            Runs.Result r = run("apply", "-f", "-", "--server", sluice.url());
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("unchanged (version 4)");
            assertThat(sluice.requests().get(0).body()).isEqualTo(YAML);
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void invalidSpecPrintsOneLinePerErrorWithFileLineColumnAndExits2() {
        sluice.problem("POST", "/api/v1/namespaces/default/deployments", 400, """
                {"type":"https://sluice.dev/problems/invalid-spec","title":"Invalid pipeline spec","status":400,
                 "detail":"2 problems","errors":[
                  {"field":"spec.parallelism","line":9,"column":16,"message":"must be between 1 and 1024, got 0"},
                  {"field":"metadata.labels","message":"expected a mapping"}]}
                """);

        Runs.Result r = run("apply", "-f", file.toString(), "--server", sluice.url());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).containsExactly(
                "error: " + file + ":9:16: spec.parallelism: must be between 1 and 1024, got 0",
                "error: " + file + ": metadata.labels: expected a mapping");
    }

    @Test
    void unreadableFileExits2WithoutCallingTheServer() {
        Runs.Result r = run("apply", "-f", dir.resolve("missing.yaml").toString(), "--server", sluice.url());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: cannot read " + dir.resolve("missing.yaml") + ": no such file");
        assertThat(sluice.requests()).isEmpty();
    }

    @Test
    void jsonOutputIsTheServersAnswer() throws Exception {
        sluice.on("POST", "/api/v1/namespaces/default/deployments", 200,
                "{\"result\":\"updated\",\"version\":2,\"deployment\":" + deployment("ride-demand", "upgrading") + "}");

        Runs.Result r = run("apply", "-f", file.toString(), "-o", "json", "--server", sluice.url());

        assertThat(r.code()).isZero();
        var node = dev.sluice.model.Json.MAPPER.readTree(r.out());
        assertThat(node.path("result").asText()).isEqualTo("updated");
        assertThat(node.path("deployment").path("status").path("phase").asText()).isEqualTo("upgrading");
    }
}
