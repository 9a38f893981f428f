package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sluice.model.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Talks to the Sluice REST API; turns unreachable servers and error responses into {@link CliException}s. */
final class ApiClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final String server;
    private final HttpClient http;

    ApiClient(String server) {
        String base = server == null ? "" : server.strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        try {
            URI uri = URI.create(base);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, "--server: '" + server + "' is not an http(s) URL such as http://127.0.0.1:8080");
        }
        this.server = base;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** Encodes one path segment (a namespace, name, id or topic). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    String server() {
        return server;
    }

    JsonNode get(String path, String notFound) {
        return get(path, notFound, REQUEST_TIMEOUT);
    }

    /** A GET that may take long (such as reading a stream); {@code timeout} null means no limit. */
    JsonNode get(String path, String notFound, Duration timeout) {
        return exchange(request(path, timeout).GET(), notFound, null);
    }

    JsonNode post(String path, String notFound) {
        return exchange(request(path, REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()), notFound, null);
    }

    /** Posts a YAML document; errors the server finds in it are reported against {@code file}. */
    JsonNode postYaml(String path, String yaml, String file) {
        HttpRequest.Builder request = request(path, REQUEST_TIMEOUT)
                .header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml, StandardCharsets.UTF_8));
        return exchange(request, null, file);
    }

    JsonNode delete(String path, String notFound) {
        return exchange(request(path, REQUEST_TIMEOUT).DELETE(), notFound, null);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(server + path))
                .header("Accept", "application/json, application/problem+json");
        return timeout == null ? builder : builder.timeout(timeout);
    }

    private JsonNode exchange(HttpRequest.Builder request, String notFound, String file) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CliException(CliException.FAILED, "cannot reach Sluice at " + server + " (is `sluice up` running?)");
        } catch (HttpTimeoutException e) {
            throw new CliException(CliException.FAILED, "Sluice at " + server + " did not answer in time");
        } catch (IOException e) {
            throw new CliException(CliException.FAILED, "request to Sluice at " + server + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.FAILED, "interrupted");
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return parse(response.body());
        }
        throw Problems.toException(status, response.body(), notFound, file);
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new CliException(CliException.FAILED, "Sluice at " + server + " sent a response that is not JSON");
        }
    }
}
