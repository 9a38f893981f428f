package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.SluiceCli;
import dev.sluice.model.Json;
import dev.sluice.server.KeyedCounts;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.TestDocuments;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sluice client verbs against a real server: exit codes, error lines and output formats of the user contract. */
class CliITCase {
    @TempDir
    static Path dir;
    static SluiceServer server;

    @BeforeAll
    static void start() {
        server = SluiceServer.start(SluiceConfig.defaults().withDataDir(dir.resolve("data").toString()).withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** One run of the CLI: exit code, standard output and standard error. */
    record Run(int code, String out, String err) {}

    Run sluice(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", "http://127.0.0.1:" + server.port()));
        int code = SluiceCli.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badInputExitsTwoNamingFileLineAndColumnAndChangesNothing() throws Exception {
        String good = new KeyedCounts("cli-bad", 10, 1).yaml();
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, good.replace("  parallelism: 2", "  parallelism: two"));
        Run run = sluice("apply", "-f", file.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: " + file + ":" + TestDocuments.line(good, "  parallelism: 2")
                + ":16: spec.parallelism: ");

        Files.writeString(file, good.replace("'connector' = 'datagen'", "'connector' = 'nope'"));
        run = sluice("apply", "-f", file.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("spec.sql").contains("nope").contains("datagen");

        assertThat(sluice("get", "deployments", "cli-bad").code()).isEqualTo(1);
        assertThat(sluice("apply", "-f", dir.resolve("missing.yaml").toString()).code()).isEqualTo(2);
        assertThat(sluice("get", "nonsense").code()).isEqualTo(2);
    }

    @Test
    void applyDescribeSuspendResume() throws Exception {
        KeyedCounts pipeline = new KeyedCounts("cli-counts", 100_000, 20);
        server.streams().ensureTopic(pipeline.output(), 1);
        Path file = dir.resolve("counts.yaml");
        Files.writeString(file, pipeline.yaml());

        Run applied = sluice("apply", "-f", file.toString());
        assertThat(applied.code()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("created").contains("version 1");
        assertThat(sluice("apply", "-f", file.toString()).out()).contains("unchanged");
        assertThat(sluice("resume", "cli-counts").code()).isZero(); // waits until running

        JsonNode json = Json.MAPPER.readTree(sluice("get", "deployments", "-o", "json").out());
        assertThat(json.path("items").get(0).path("status").path("phase").asText()).isEqualTo("running");
        Run described = sluice("describe", "deployment", "cli-counts");
        assertThat(described.out()).contains("Phase:").contains("running").contains("Job ID:");

        Run suspended = sluice("suspend", "cli-counts");
        assertThat(suspended.code()).as(suspended.err()).isZero();
        assertThat(sluice("get", "snapshots", "cli-counts").out()).contains("suspend").contains("completed");
        assertThat(sluice("resume", "cli-counts").code()).isZero();
        assertThat(sluice("get", "deployments", "cli-counts", "-o", "yaml").out()).contains("phase: running");
        Path v2 = dir.resolve("counts-v2.yaml");
        Files.writeString(v2, pipeline.yaml().replace("parallelism: 2", "parallelism: 1"));
        Run diff = sluice("diff", "cli-counts", "-f", v2.toString());
        assertThat(diff.code()).as(diff.err()).isZero();
        assertThat(diff.out()).contains("spec.parallelism").contains("action: rescale").contains("restores fully");
        assertThat(sluice("apply", "-f", v2.toString()).out()).contains("updated").contains("version 2");
        Run rolledBack = sluice("rollback", "cli-counts", "--to-version", "1");
        assertThat(rolledBack.code()).as(rolledBack.err()).isZero();
        assertThat(rolledBack.out()).contains("running").contains("version 1");
        assertThat(sluice("rollback", "cli-counts", "--to-version", "9").code()).isEqualTo(2);
        Run scaled = sluice("scale", "cli-counts", "--parallelism", "3");
        assertThat(scaled.code()).as(scaled.err()).isZero();
        assertThat(scaled.out()).contains("running").contains("version 3");
        JsonNode versions = Json.MAPPER.readTree(sluice("get", "versions", "cli-counts", "-o", "json").out());
        assertThat(versions.path("items").get(0).path("spec").path("parallelism").asInt()).isEqualTo(3);
        Run badScale = sluice("scale", "cli-counts", "--parallelism", "0");
        assertThat(badScale.code()).isEqualTo(2);
        assertThat(badScale.err()).contains("parallelism");
        Run snapshot = sluice("snapshot", "cli-counts");
        assertThat(snapshot.code()).as(snapshot.err()).isZero();
        assertThat(sluice("get", "events", "cli-counts").out()).contains("SnapshotCompleted");
        assertThat(sluice("cancel", "cli-counts").code()).isZero();
        // Nothing writes any more: the output compared with itself is equal, record for record.
        Run compared = sluice("compare", "cli-counts", "cli-counts");
        assertThat(compared.code()).as(compared.out() + compared.err()).isZero();
        assertThat(compared.out()).contains("cli-counts-out").contains("the outputs are equal");
        assertThat(sluice("compare", "cli-counts", "nobody").code()).isEqualTo(1);
        assertThat(sluice("delete", "cli-counts").code()).isZero();
    }
}
