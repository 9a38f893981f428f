package dev.sluice.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test double for the HTTP peer: canned responses per method and path, and a record of every request. */
final class FakeSluice implements AutoCloseable {
    /** One request as the fake received it. */
    record Request(String method, String path, String query, String contentType, String body) {}

    private record Response(int status, String contentType, String body) {}

    private final HttpServer server;
    private final Map<String, Deque<Response>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeSluice() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues a JSON response for {@code METHOD PATH}; the last one queued repeats. */
    FakeSluice on(String method, String path, int status, String json) {
        return respond(method, path, new Response(status, "application/json", json));
    }

    /** Queues an RFC 9457 problem response. */
    FakeSluice problem(String method, String path, int status, String json) {
        return respond(method, path, new Response(status, "application/problem+json", json));
    }

    private FakeSluice respond(String method, String path, Response response) {
        routes.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).add(response);
        return this;
    }

    List<Request> requests() {
        return requests;
    }

    long count(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        requests.add(new Request(method, path, exchange.getRequestURI().getRawQuery(),
                exchange.getRequestHeaders().getFirst("Content-Type"), body));
        Response response;
        Deque<Response> queue = routes.get(method + " " + path);
        synchronized (this) {
            response = queue == null ? new Response(404, "application/problem+json",
                    "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no route\"}")
                    : queue.size() > 1 ? queue.poll() : queue.peek();
        }
        byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
