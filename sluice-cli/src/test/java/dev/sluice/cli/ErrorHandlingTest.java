package dev.sluice.cli;

import static dev.sluice.cli.Runs.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ErrorHandlingTest {
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
    void notFoundExits1NamingDeploymentAndNamespace() {
        sluice.problem("GET", "/api/v1/namespaces/team/deployments/nope", 404, "{\"title\":\"Not Found\",\"status\":404}");

        Runs.Result r = run("get", "deployments", "nope", "-n", "team", "--server", sluice.url());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: deployment nope not found in namespace team\n");
    }

    @Test
    void conflictExits1WithTheDetail() {
        sluice.problem("POST", "/api/v1/namespaces/default/deployments/x/snapshots", 409,
                "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"deployment x is not running\"}");

        Runs.Result r = run("snapshot", "x", "--server", sluice.url());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: deployment x is not running\n");
    }

    @Test
    void serverErrorExits1() {
        sluice.problem("GET", "/api/v1/namespaces/default/deployments", 500,
                "{\"title\":\"Internal Server Error\",\"status\":500,\"detail\":\"database is gone\"}");

        Runs.Result r = run("get", "deployments", "--server", sluice.url());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: server error (HTTP 500): database is gone\n");
    }

    @Test
    void otherClientErrorsExit2WithTheDetail() {
        sluice.problem("POST", "/api/v1/namespaces/default/deployments/x/resume", 400,
                "{\"title\":\"Bad Request\",\"status\":400,\"detail\":\"deployment x is cancelled; apply it again\"}");
        sluice.on("GET", "/api/v1/namespaces/default/deployments/x", 200, Runs.deployment("x", "cancelled"));

        Runs.Result r = run("resume", "x", "--server", sluice.url());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: deployment x is cancelled; apply it again\n");
    }

    @Test
    void connectionRefusedExits1AndSaysHowToStartTheServer() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;

        Runs.Result r = run("get", "deployments", "--server", url);

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot reach Sluice at " + url + " (is `sluice up` running?)\n");
    }

    @Test
    void usageErrorsExit2() {
        assertThat(run().code()).isEqualTo(2);
        assertThat(run("frobnicate").code()).isEqualTo(2);
        assertThat(run("get").code()).isEqualTo(2);
        assertThat(run("get", "widgets").code()).isEqualTo(2);
        assertThat(run("get", "versions").code()).isEqualTo(2);
        assertThat(run("describe", "deployment").code()).isEqualTo(2);
        assertThat(run("suspend", "x", "--timeout", "soon").code()).isEqualTo(2);
        assertThat(run("tail", "t", "--limit", "0", "--server", sluice.url()).code()).isEqualTo(2);

        Runs.Result r = run("apply", "--server", sluice.url());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Missing required option: '--filename=FILE'");

        Runs.Result badFormat = run("get", "deployments", "-o", "xml", "--server", sluice.url());
        assertThat(badFormat.code()).isEqualTo(2);
        assertThat(badFormat.err()).startsWith("error: ").contains("'xml'");
        assertThat(sluice.requests()).isEmpty();
    }

    @Test
    void badServerUrlIsBadInput() {
        Runs.Result r = run("get", "deployments", "--server", "localhost:8080");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --server: 'localhost:8080' is not an http(s) URL");
    }

    @Test
    void helpExits0() {
        Runs.Result r = run("get", "deployments", "--help");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: sluice get deployments", "--namespace", "--output", "--server");
    }
}
