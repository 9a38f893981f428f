package dev.sluice.cli;

import static dev.sluice.cli.Runs.deployment;
import static dev.sluice.cli.Runs.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WaitingVerbsTest {
    static final String X = "/api/v1/namespaces/default/deployments/x";

    FakeSluice sluice;

    @BeforeEach
    void start() throws Exception {
        sluice = new FakeSluice();
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void suspendWaitsUntilSuspended() {
        sluice.on("POST", X + "/suspend", 202, deployment("x", "suspending"))
                .on("GET", X, 200, deployment("x", "running"))
                .on("GET", X, 200, deployment("x", "suspending"))
                .on("GET", X, 200, deployment("x", "suspending"))
                .on("GET", X, 200, deployment("x", "suspended"));

        Runs.Result r = run("suspend", "x", "--server", sluice.url());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("deployment default/x suspended (version 3)\n");
        assertThat(sluice.count("POST", X + "/suspend")).isEqualTo(1);
        assertThat(sluice.count("GET", X)).isEqualTo(4);
    }

    @Test
    void noWaitReturnsAtOnce() {
        sluice.on("POST", X + "/suspend", 202, deployment("x", "suspending"))
                .on("GET", X, 200, deployment("x", "running"));

        Runs.Result r = run("suspend", "x", "--no-wait", "--server", sluice.url());

        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("deployment default/x suspend requested (phase suspending)\n");
        assertThat(sluice.count("GET", X)).isEqualTo(1);
    }

    @Test
    void resumeOfAFailedDeploymentIgnoresTheOldFailure() {
        String old = deployment("x", "failed", "out of memory", "2025-01-01T00:00:00Z");
        sluice.on("POST", X + "/resume", 202, old)
                .on("GET", X, 200, old)
                .on("GET", X, 200, old)
                .on("GET", X, 200, deployment("x", "starting"))
                .on("GET", X, 200, deployment("x", "running"));

        Runs.Result r = run("resume", "x", "--server", sluice.url());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("deployment default/x running (version 3, job a1b2c3)\n");
    }

    @Test
    void resumeExits1WhenTheDeploymentFails() {
        sluice.on("POST", X + "/resume", 202, deployment("x", "suspended"))
                .on("GET", X, 200, deployment("x", "suspended"))
                .on("GET", X, 200, deployment("x", "starting"))
                .on("GET", X, 200, deployment("x", "failed", "table b does not exist", "2025-01-02T00:00:00Z"));

        Runs.Result r = run("resume", "x", "--server", sluice.url());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: deployment default/x failed: table b does not exist\n");
    }

    @Test
    void waitingTimesOutWithExit1() {
        sluice.on("POST", X + "/cancel", 202, deployment("x", "running"))
                .on("GET", X, 200, deployment("x", "running"));

        Runs.Result r = run("cancel", "x", "--timeout", "600ms", "--server", sluice.url());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(
                "error: timed out after 600ms waiting for deployment default/x to be cancelled; phase is running\n");
    }

    @Test
    void deleteNeedsNoWaiting() {
        sluice.on("DELETE", X, 200, deployment("x", "cancelled"));

        Runs.Result r = run("delete", "x", "--server", sluice.url());

        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("deployment default/x deleted\n");
    }

    @Test
    void snapshotWaitsUntilCompletedAndPrintsIdAndLocation() {
        sluice.on("POST", X + "/snapshots", 202, "{\"id\":\"s7\",\"deployment\":\"x\",\"state\":\"in-progress\"}")
                .on("GET", X + "/snapshots/s7", 200, "{\"id\":\"s7\",\"deployment\":\"x\",\"state\":\"in-progress\"}")
                .on("GET", X + "/snapshots/s7", 200,
                        "{\"id\":\"s7\",\"deployment\":\"x\",\"state\":\"completed\",\"location\":\"file:///snap/s7\"}");

        Runs.Result r = run("snapshot", "x", "--server", sluice.url());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("snapshot s7 of default/x completed: file:///snap/s7\n");
        assertThat(sluice.count("GET", X + "/snapshots/s7")).isEqualTo(2);
    }

    @Test
    void failedSnapshotExits1() {
        sluice.on("POST", X + "/snapshots", 202, "{\"id\":\"s8\",\"state\":\"in-progress\"}")
                .on("GET", X + "/snapshots/s8", 200, "{\"id\":\"s8\",\"state\":\"failed\",\"error\":\"savepoint declined\"}");

        Runs.Result r = run("snapshot", "x", "--server", sluice.url());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: snapshot s8 of default/x failed: savepoint declined\n");
    }
}
