package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sluice.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Talks to the Sluice REST API; turns unreachable servers and error responses into {@link CliException}s.
 *
 * <p>Uses {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: a CLI call is one or a few requests, and
 * the newer client costs about a quarter of a second to start (it sets up TLS and a selector thread even for plain
 * HTTP), which is most of a short command's time.
 */
final class ApiClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final String server;

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
        return exchange("GET", path, timeout, null, null, notFound, null);
    }

    JsonNode post(String path, String notFound) {
        return exchange("POST", path, REQUEST_TIMEOUT, null, new byte[0], notFound, null);
    }

    /** Posts a YAML document; errors the server finds in it are reported against {@code file}. */
    JsonNode postYaml(String path, String yaml, String file) {
        return exchange("POST", path, REQUEST_TIMEOUT, "application/yaml", yaml.getBytes(StandardCharsets.UTF_8),
                null, file);
    }

    JsonNode delete(String path, String notFound) {
        return exchange("DELETE", path, REQUEST_TIMEOUT, null, null, notFound, null);
    }

    private JsonNode exchange(String method, String path, Duration timeout, String contentType, byte[] body,
            String notFound, String file) {
        HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) URI.create(server + path).toURL().openConnection();
            connection.setRequestMethod(method);
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, "--server: cannot make a request to " + server + path
                    + ": " + e.getMessage());
        }
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout(timeout == null ? 0 : (int) timeout.toMillis());
        connection.setInstanceFollowRedirects(true);
        connection.setRequestProperty("Accept", "application/json, application/problem+json");
        if (body != null) {
            if (contentType != null) {
                connection.setRequestProperty("Content-Type", contentType);
            }
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
        }
        try {
            try {
                connection.connect();
            } catch (ConnectException | SocketTimeoutException | NoRouteToHostException | UnknownHostException e) {
                throw new CliException(CliException.FAILED, "cannot reach Sluice at " + server + " (is `sluice up` running?)");
            }
            if (body != null) {
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = connection.getResponseCode();
            String text = read(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            if (status >= 200 && status < 300) {
                return parse(text);
            }
            throw Problems.toException(status, text, notFound, file);
        } catch (SocketTimeoutException e) {
            throw new CliException(CliException.FAILED, "Sluice at " + server + " did not answer in time");
        } catch (IOException e) {
            throw new CliException(CliException.FAILED, "request to Sluice at " + server + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private static String read(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
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
