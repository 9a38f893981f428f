package dev.sluice.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** Reads what a cluster's REST API says about itself: /overview and /taskmanagers. */
final class RestProbe {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).version(HttpClient.Version.HTTP_1_1).build();

    RestProbe(URI base) {
        this.base = base;
    }

    /** The overview, with the ids of the registered TaskManagers; empty while the REST API does not answer. */
    Optional<ClusterStatus.Overview> overview() {
        try {
            JsonNode overview = get("overview");
            JsonNode taskManagers = get("taskmanagers").path("taskmanagers");
            Set<String> ids = new LinkedHashSet<>();
            taskManagers.forEach(tm -> ids.add(tm.path("id").asText()));
            return Optional.of(new ClusterStatus.Overview(
                    overview.path("flink-version").asText(),
                    overview.path("taskmanagers").asInt(),
                    overview.path("slots-total").asInt(),
                    overview.path("slots-available").asInt(),
                    overview.path("jobs-running").asInt(),
                    Set.copyOf(ids)));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Ids of the registered TaskManagers with at least one slot in use; empty while the REST API does not answer. */
    Set<String> busyTaskManagerIds() {
        try {
            Set<String> ids = new LinkedHashSet<>();
            get("taskmanagers").path("taskmanagers").forEach(tm -> {
                if (tm.path("freeSlots").asInt() < tm.path("slotsNumber").asInt()) {
                    ids.add(tm.path("id").asText());
                }
            });
            return ids;
        } catch (IOException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(3)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + request.uri() + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }
}
