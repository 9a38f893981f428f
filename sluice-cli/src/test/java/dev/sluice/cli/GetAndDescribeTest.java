package dev.sluice.cli;

import static dev.sluice.cli.Runs.deployment;
import static dev.sluice.cli.Runs.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.Json;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GetAndDescribeTest {
    static final String SNAPSHOTS = """
            {"items":[
             {"id":"s3","namespace":"default","deployment":"orders","version":3,"origin":"user","state":"completed",
              "location":"file:///data/snapshots/s3","sizeBytes":1572864,"createdAt":"2025-01-01T00:00:00Z"},
             {"id":"s2","deployment":"orders","state":"completed"},{"id":"s1"},{"id":"s0"},{"id":"s-1"},{"id":"s-2"}]}
            """;
    static final String EVENTS = """
            {"items":[{"id":9,"deployment":"orders","version":3,"type":"normal","reason":"Running",
              "message":"job a1b2c3 runs","actor":"system","time":"2025-01-01T00:00:00Z"}]}
            """;

    FakeSluice sluice;

    @BeforeEach
    void start() throws Exception {
        sluice = new FakeSluice();
        sluice.on("GET", "/api/v1/namespaces/default/deployments", 200,
                "{\"items\":[" + deployment("orders", "running") + "," + deployment("ride-demand-long-name", "suspended") + "]}");
        sluice.on("GET", "/api/v1/namespaces/default/deployments/orders", 200, deployment("orders", "running"));
        sluice.on("GET", "/api/v1/namespaces/default/deployments/orders/snapshots", 200, SNAPSHOTS);
        sluice.on("GET", "/api/v1/namespaces/default/deployments/orders/events", 200, EVENTS);
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void deploymentsTableHasAlignedColumns() {
        Runs.Result r = run("get", "deployments", "--server", sluice.url());

        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("NAMESPACE   NAME                    PHASE       VERSION   JOB-ID   AGE");
        assertThat(lines.get(1)).startsWith("default     orders                  running     3         a1b2c3   ");
        assertThat(lines.get(2)).startsWith("default     ride-demand-long-name   suspended   3         a1b2c3   ");
        for (String column : List.of("PHASE", "VERSION", "JOB-ID", "AGE")) {
            int at = lines.get(0).indexOf(column);
            assertThat(lines.get(1).charAt(at - 1)).isEqualTo(' ');
            assertThat(lines.get(1).charAt(at)).isNotEqualTo(' ');
        }
    }

    @Test
    void jsonAndYamlOutputParse() throws Exception {
        Runs.Result json = run("get", "deployments", "-o", "json", "--server", sluice.url());
        Runs.Result yaml = run("get", "deployments", "-o", "YAML", "--server", sluice.url());
        Runs.Result one = run("get", "deployment", "orders", "-o", "json", "--server", sluice.url());

        assertThat(json.code()).isZero();
        assertThat(yaml.code()).isZero();
        JsonNode fromJson = Json.MAPPER.readTree(json.out());
        JsonNode fromYaml = Json.YAML.readTree(yaml.out());
        assertThat(fromJson.path("items")).hasSize(2);
        assertThat(fromYaml).isEqualTo(fromJson);
        assertThat(fromJson.path("items").get(0).path("status").path("newField").asBoolean()).isTrue();
        assertThat(Json.MAPPER.readTree(one.out()).path("metadata").path("name").asText()).isEqualTo("orders");
    }

    @Test
    void snapshotsAndEventsFilterByDeployment() {
        Runs.Result snapshots = run("get", "snapshots", "orders", "--server", sluice.url());
        Runs.Result events = run("get", "events", "orders", "--limit", "3", "--server", sluice.url());

        assertThat(snapshots.code()).isZero();
        assertThat(snapshots.out()).startsWith("ID ").contains("s3", "1.5MiB", "file:///data/snapshots/s3");
        assertThat(events.code()).isZero();
        assertThat(events.out()).contains("Running", "job a1b2c3 runs");
        assertThat(sluice.requests()).extracting(FakeSluice.Request::query).contains("limit=3");
    }

    @Test
    void emptyListSaysSoOnStderr() {
        sluice.on("GET", "/api/v1/namespaces/empty/snapshots", 200, "{\"items\":[]}");

        Runs.Result r = run("get", "snapshots", "-n", "empty", "--server", sluice.url());

        assertThat(r.code()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("No snapshots found in namespace empty.\n");
    }

    @Test
    void describeShowsStatusLatestSnapshotsAndEvents() {
        Runs.Result r = run("describe", "deployment", "orders", "--server", sluice.url());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Name:            orders", "Phase:         running", "Job ID:        a1b2c3",
                "Records in:    10", "Snapshots (latest 5):", "Events (latest 10):", "job a1b2c3 runs");
        assertThat(r.out()).contains("s-1").doesNotContain("s-2");
        assertThat(sluice.requests()).extracting(FakeSluice.Request::query).contains("limit=10");
    }

    @Test
    void describeAsJsonIsOneObject() throws Exception {
        Runs.Result r = run("describe", "deployment", "orders", "-o", "json", "--server", sluice.url());

        assertThat(r.code()).isZero();
        JsonNode all = Json.MAPPER.readTree(r.out());
        assertThat(all.path("deployment").path("metadata").path("name").asText()).isEqualTo("orders");
        assertThat(all.path("snapshots")).hasSize(5);
        assertThat(all.path("events")).hasSize(1);
    }
}
