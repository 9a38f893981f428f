package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.Json;
import dev.sluice.server.Demo;
import dev.sluice.server.SluiceConfig;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.TestApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code sluice up --demo} promises: demo streams, a generator, and a running windowed pipeline whose per-cell,
 * per-minute results arrive in the output stream (the first window closes within about 65 s of the start).
 */
class DemoITCase {
    @TempDir
    Path dir;

    @Test
    void theDemoPipelineProducesResults() throws Exception {
        try (SluiceServer server = SluiceServer.start(SluiceConfig.defaults().withDataDir(dir.toString()).withPort(0));
                Demo demo = Demo.start(server.streams(), server.deployments(), 50)) {
            TestApi api = new TestApi("http://127.0.0.1:" + server.port());
            await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("ride-demand").equals("running"));
            List<String> results = new ArrayList<>();
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                server.streams().tail(Demo.DEMAND, true, Duration.ofMillis(500), r -> results.add(r.value()));
                return !results.isEmpty();
            });
            JsonNode first = Json.MAPPER.readTree(results.get(0));
            assertThat(first.path("cell").asText()).matches("\\d+:-\\d+");
            assertThat(first.path("requests").asLong()).isPositive();
            assertThat(first.path("avg_fare").asDouble()).isPositive();
        }
    }
}
