package dev.sluice.cli;

import static dev.sluice.cli.Runs.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.Json;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

class SluiceCliTest {
    @Command(name = "up")
    static final class Up implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println("server started");
            return 0;
        }
    }

    @Test
    void anotherModuleCanAddASubcommand() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = SluiceCli.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        cli.addSubcommand("up", new Up());

        assertThat(cli.execute("up")).isZero();
        assertThat(cli.execute("up", "--bogus")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("server started\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: Unknown option: '--bogus'");
    }

    @Test
    void aCommandLineBuildsOnlyTheVerbItNamesAndHelpListsUpFirstThenEveryVerb() {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(SluiceCli.commandLine(sink, sink, "get", "deployments").getSubcommands()).containsOnlyKeys("get");
        assertThat(SluiceCli.commandLine(sink, sink, "--version").getSubcommands()).isEmpty();
        assertThat(SluiceCli.commandLine(sink, sink, "up", "--demo").getSubcommands()).isEmpty();
        assertThat(SluiceCli.commandLine(sink, sink, "frobnicate").getSubcommands())
                .containsKeys("apply", "get", "describe", "suspend", "resume", "cancel", "rollback", "scale", "delete",
                        "snapshot", "diff", "fork", "compare", "tail");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cli = SluiceCli.withUp(SluiceCli.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                sink, "--help"), new Up());
        assertThat(cli.execute("--help")).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help.substring(help.indexOf("Commands:"))).containsSubsequence("up", "apply", "get", "tail");

        Runs.Result typo = run("sclae", "x");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("Did you mean: sluice scale");
    }

    @Test
    void theLaunchersTrainingRunGoesThroughTheCommonVerbsAgainstAStandIn() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int answered;
        try {
            answered = CliTraining.train(); // bin/sluice records the classes it loads; it must run to its end
        } finally {
            System.setOut(saved);
        }
        assertThat(answered).as("requests of get, describe (3) and apply").isGreaterThanOrEqualTo(9);
        assertThat(out.toString(StandardCharsets.UTF_8)).as("the training prints nothing").isEmpty();
    }

    @Test
    void tailPrintsValuesOnePerLine() throws Exception {
        try (FakeSluice sluice = new FakeSluice()) {
            sluice.on("GET", "/api/v1/streams/rides/records", 200, """
                    {"items":[{"partition":0,"offset":1,"timestamp":1,"key":"k","value":"{\\"a\\":1}"},
                              {"partition":0,"offset":2,"timestamp":2,"key":null,"value":"two"}]}
                    """);

            Runs.Result r = run("tail", "rides", "--from-beginning", "--limit", "2", "--wait-seconds", "1.5",
                    "--server", sluice.url());
            Runs.Result json = run("tail", "rides", "-o", "json", "--server", sluice.url());

            assertThat(r.code()).isZero();
            assertThat(r.out()).isEqualTo("{\"a\":1}\ntwo\n");
            assertThat(sluice.requests().get(0).query()).isEqualTo("fromBeginning=true&limit=2&waitMs=1500");
            assertThat(sluice.requests().get(1).query()).isEqualTo("fromBeginning=false&limit=100&waitMs=5000");
            assertThat(Json.MAPPER.readTree(json.out()).path("items")).hasSize(2);
        }
    }

    @Test
    void agesReadLikeKubectl() {
        assertThat(Output.age(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Output.age(Duration.ofSeconds(330))).isEqualTo("5m30s");
        assertThat(Output.age(Duration.ofMinutes(45))).isEqualTo("45m");
        assertThat(Output.age(Duration.ofMinutes(200))).isEqualTo("3h20m");
        assertThat(Output.age(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Output.age(Duration.ofHours(77))).isEqualTo("3d5h");
        assertThat(Output.age(Duration.ofDays(30))).isEqualTo("30d");
    }
}
