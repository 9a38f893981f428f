package dev.sluice.engine.flink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Short GETs of JSON from a Flink REST endpoint, for what Flink's REST client has no typed call for (the cluster's
 * configuration, aggregated operator metrics): connect and answer each within a few seconds.
 */
final class RestJson {
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final URI rest;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    RestJson(URI rest) {
        this.rest = rest;
    }

    /**
     * The JSON array a path answers; empty when it answers anything else (another status, an object).
     *
     * @throws IOException when the endpoint does not answer in time, or not at all
     */
    Optional<JsonNode> array(String path) throws IOException {
        return get(path).filter(JsonNode::isArray);
    }

    /** The JSON object a path answers; empty when it answers anything else. */
    Optional<JsonNode> object(String path) throws IOException {
        return get(path).filter(JsonNode::isObject);
    }

    private Optional<JsonNode> get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(rest.resolve(path)).timeout(TIMEOUT).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + rest.resolve(path), e);
        }
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        return Optional.ofNullable(Json.MAPPER.readTree(response.body()));
    }
}
