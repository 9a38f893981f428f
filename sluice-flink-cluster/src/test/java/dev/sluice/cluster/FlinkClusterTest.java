package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What needs no running cluster: a directory without one, the command line's contract, the small parsers. */
class FlinkClusterTest {

    @TempDir
    Path tmp;

    @Test
    void aDirectoryWithoutAClusterIsStoppedAndStopsNothing() throws Exception {
        FlinkCluster cluster = FlinkCluster.at(tmp.resolve("never-started"));

        assertThat(cluster.status().state()).isEqualTo(ClusterStatus.State.STOPPED);
        assertThat(cluster.status().describe()).contains("stopped");
        assertThat(cluster.stop()).isEmpty();
        assertThat(tmp.resolve("never-started")).doesNotExist();
    }

    @Test
    void statusOfAStoppedClusterExitsOneAndSaysStopped() {
        Run run = run("status", "--dir", tmp.toString());

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.out).contains(": stopped");
    }

    @Test
    void stopOfAStoppedClusterSucceeds() {
        Run run = run("stop", "--dir", tmp.toString());

        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("No Flink cluster running");
    }

    @Test
    void badArgumentsExitTwoWithAnErrorAndChangeNothing() {
        Path dir = tmp.resolve("cluster");

        assertThat(run("start", "--slots", "0", "--dir", dir.toString()).exitCode).isEqualTo(2);
        assertThat(run("start", "--taskmanagers", "-1", "--dir", dir.toString()).exitCode).isEqualTo(2);
        assertThat(run("start", "--rest-port", "70000", "--dir", dir.toString()).exitCode).isEqualTo(2);
        assertThat(run("start", "-D", "heartbeat.timeout", "--dir", dir.toString()).exitCode).isEqualTo(2);
        assertThat(run("status", "--slots", "2", "--dir", dir.toString()).exitCode).isEqualTo(2);
        Run noCommand = run();
        assertThat(noCommand.exitCode).isEqualTo(2);
        assertThat(noCommand.err).startsWith("error: missing command");
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void memberNamesRoundTrip() {
        assertThat(Member.parse("jobmanager-0")).contains(Member.jobManager());
        assertThat(Member.parse("taskmanager-12")).contains(Member.taskManager(12));
        assertThat(Member.parse("jobmanager-1")).isEmpty();
        assertThat(Member.parse("taskmanager-x")).isEmpty();
    }

    @Test
    void configValuesThatAreNotPlainYamlAreQuoted() {
        assertThat(ClusterConfig.yamlScalar("file:///tmp/a-b_c.d")).isEqualTo("file:///tmp/a-b_c.d");
        assertThat(ClusterConfig.yamlScalar("/dir with space/it's")).isEqualTo("'/dir with space/it''s'");
        assertThat(ClusterConfig.yamlScalar("a: b")).isEqualTo("'a: b'");
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = FlinkClusterMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
