package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.model.Json;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.junit.jupiter.api.Test;

/**
 * The API's routes exist before the HTTP server starts (a route added while Jetty serves raced with a request: a
 * ConcurrentModificationException in Javalin's router); until the parts have started they answer 503.
 */
class ApiWhileStartingTest {

    @Test
    void everyApiRouteAnswers503UntilThePartsHaveStarted() {
        Javalin http = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(Json.MAPPER, false));
        });
        new ApiRoutes().register(http);
        http.start("127.0.0.1", 0);
        try {
            TestApi api = new TestApi("http://127.0.0.1:" + http.port());
            for (String path : new String[] {"/api/v1/info", "/api/v1/namespaces/default/deployments",
                    "/api/v1/namespaces/default/deployments/x/events"}) {
                TestApi.Response answer = api.get(path);
                assertThat(answer.status()).as(path).isEqualTo(503);
                assertThat(answer.json().path("title").asText()).isEqualTo("Sluice is starting");
                assertThat(answer.json().path("instance").asText()).isEqualTo(path);
            }
            assertThat(api.post("/api/v1/namespaces/default/deployments", "kind: Pipeline").status()).isEqualTo(503);
        } finally {
            http.stop();
        }
    }
}
