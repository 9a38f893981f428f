package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.control.store.PostgresDatabases;
import dev.sluice.control.store.SqlStore;
import dev.sluice.control.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane with its metadata in a real PostgreSQL: what one server stored, the next server on the same
 * database and data directory (the snapshots live there) finds, and carries on.
 */
class PostgresStoreITCase {
    private static final String DEPLOYMENT = "/api/v1/namespaces/default/deployments/pg-sums";
    private static final String V1 = """
            apiVersion: sluice.dev/v1
            kind: Pipeline
            metadata:
              name: pg-sums
            spec:
              sql: |
                CREATE TABLE src (k INT, v BIGINT) WITH (
                  'connector' = 'datagen',
                  'rows-per-second' = '20',
                  'fields.k.min' = '0',
                  'fields.k.max' = '6'
                );
                CREATE TABLE sums (k INT, n BIGINT, total BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO sums SELECT k, COUNT(*), SUM(v) FROM src GROUP BY k;
              parallelism: 1
              checkpoints: {interval: 1s}
            """;

    @TempDir
    static Path dir;
    @RegisterExtension
    static final PostgresDatabases postgres = PostgresDatabases.perClass();

    @Test
    void aDeploymentItsVersionsAndEventsOutliveTheServerAndItRunsAgain() throws IOException {
        String url = postgres.url(postgres.createDatabase());
        Path passwordFile = dir.resolve("store-password");
        Files.writeString(passwordFile, PostgresDatabases.PASSWORD + "\n");
        SluiceConfig config = SluiceConfig.defaults().withDataDir(dir.resolve("data").toString()).withPort(0)
                .withStore(new SluiceConfig.StoreConfig("postgres", url, PostgresDatabases.USER,
                        passwordFile.toString()));

        JsonNode versions;
        List<JsonNode> events;
        int snapshots;
        String firstJob;
        try (SluiceServer first = SluiceServer.start(config)) {
            TestApi api = api(first);
            JsonNode info = api.get("/api/v1/info").json();
            assertThat(info.path("store").path("type").asText()).isEqualTo("postgres");
            assertThat(info.path("store").path("url").asText()).isEqualTo(url);
            assertThat(info.toString()).doesNotContain(PostgresDatabases.PASSWORD);

            assertThat(api.post("/api/v1/namespaces/default/deployments", V1).status()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("pg-sums").equals("running"));
            TestApi.Response upgrade = api.post("/api/v1/namespaces/default/deployments",
                    V1.replace("parallelism: 1", "parallelism: 2"));
            assertThat(upgrade.json().path("version").asInt()).as(upgrade.body()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(60)).until(() -> api.deployment("pg-sums").path("status")
                    .path("version").asInt() == 2 && api.phase("pg-sums").equals("running"));

            versions = api.get(DEPLOYMENT + "/versions").json().path("items");
            events = items(api.get(DEPLOYMENT + "/events").json());
            snapshots = api.get(DEPLOYMENT + "/snapshots").json().path("items").size();
            assertThat(versions).hasSize(2);
            assertThat(snapshots).as("the upgrade's savepoint").isPositive();
            firstJob = api.deployment("pg-sums").path("status").path("jobId").asText();
        }
        assertThat(dir.resolve("data").resolve("db")).as("no H2 database beside PostgreSQL").doesNotExist();

        try (SluiceServer second = SluiceServer.start(config)) {
            TestApi api = api(second);
            assertThat(api.get(DEPLOYMENT + "/versions").json().path("items")).isEqualTo(versions);
            assertThat(items(api.get(DEPLOYMENT + "/events").json())).containsAll(events);
            assertThat(api.get(DEPLOYMENT + "/snapshots").json().path("items").size())
                    .isGreaterThanOrEqualTo(snapshots);

            // The first server's job went with its embedded cluster: the second starts a new one, from that state.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode status = api.deployment("pg-sums").path("status");
                return status.path("phase").asText().equals("running")
                        && !status.path("jobId").asText().equals(firstJob);
            });
            JsonNode status = api.deployment("pg-sums").path("status");
            assertThat(status.path("version").asInt()).isEqualTo(2);
            // The newest of the upgrade's savepoint and the checkpoints taken after it.
            assertThat(status.path("restoredFrom").asText()).as("carried on from its state")
                    .containsAnyOf("/chk-", "/savepoint-");

            // The database ends the session holding the owner lock and another server takes the lock before this one
            // takes it again: this one stops reconciling and says so, until the lock is free.
            String database = url.substring(url.lastIndexOf('/') + 1);
            try (Store other = SqlStore.postgres(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    postgres.endOwnerLockSession(database);
                    try {
                        other.lockAsOwner();
                        return true;
                    } catch (IllegalStateException e) {
                        return false; // the server was quicker; again
                    }
                });
                await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz").status() == 503);
                assertThat(api.get("/readyz").body()).contains("not reconciling: another Sluice server uses this");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz").status() == 200);
            assertThat(api.deployment("pg-sums").path("status").path("jobId").asText())
                    .isEqualTo(status.path("jobId").asText());

            assertThat(api.post(DEPLOYMENT + "/cancel", null).status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> api.phase("pg-sums").equals("cancelled"));
        }
    }

    private static TestApi api(SluiceServer server) {
        return new TestApi("http://127.0.0.1:" + server.port());
    }

    private static List<JsonNode> items(JsonNode list) {
        List<JsonNode> items = new ArrayList<>();
        list.path("items").forEach(items::add);
        return items;
    }
}
