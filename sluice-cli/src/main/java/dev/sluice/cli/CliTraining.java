package dev.sluice.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the common verbs once against a local stand-in of the API, so that the launcher can record the classes a CLI
 * call loads into a class-data-sharing archive ({@code -XX:ArchiveClassesAtExit}); later calls map them instead of
 * loading and verifying them, which halves a short command's time. Prints nothing.
 */
public final class CliTraining {
    private static final String DEPLOYMENT = """
            {"apiVersion":"sluice.dev/v1","kind":"Deployment",
             "metadata":{"name":"demo","namespace":"default","createdAt":"2026-01-01T00:00:00Z"},
             "spec":{"sql":"INSERT INTO a SELECT * FROM b;","parallelism":2,"state":"running","target":"embedded"},
             "status":{"phase":"running","version":1,"jobId":"a1b2c3","recordsIn":10,"recordsOut":7,
                       "lastTransitionAt":"2026-01-01T00:00:00Z"}}""";
    private static final String SNAPSHOT = """
            {"id":"s1","namespace":"default","deployment":"demo","version":1,"origin":"suspend","state":"completed",
             "location":"file:/tmp/s1","sizeBytes":10,"createdAt":"2026-01-01T00:00:00Z",
             "completedAt":"2026-01-01T00:00:01Z"}""";
    private static final String EVENT = """
            {"id":1,"namespace":"default","deployment":"demo","version":1,"type":"normal","reason":"Submitted",
             "message":"job a1b2c3 of version 1","actor":"reconciler","time":"2026-01-01T00:00:00Z"}""";
    private static final String PROBLEM = """
            {"title":"Bad Request","status":400,"detail":"invalid pipeline",
             "errors":[{"field":"spec.parallelism","line":3,"column":16,"message":"expected a whole number"}]}""";

    private CliTraining() {}

    public static void main(String[] args) throws IOException {
        train();
    }

    /** Runs the verbs; returns how many requests the stand-in answered. */
    static int train() throws IOException {
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            answered.incrementAndGet();
            answer(exchange);
        });
        server.start();
        Path spec = Files.createTempFile("sluice-training", ".yaml");
        try {
            Files.writeString(spec, "apiVersion: sluice.dev/v1\nkind: Pipeline\nspec: {parallelism: 1.5}\n");
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            String[][] calls = {
                {"--version"}, {"--help"}, {"get", "deployments"}, {"get", "deployments", "-o", "yaml"},
                {"get", "snapshots", "demo"}, {"get", "events", "demo"}, {"describe", "deployment", "demo"},
                {"apply", "-f", spec.toString()}, {"get", "deployments", "-o", "json"},
            };
            for (String[] call : calls) {
                String[] withServer = call[0].startsWith("--") ? call : append(call, "--server", url);
                SluiceCli.run(withServer, sink, sink);
            }
        } finally {
            Files.deleteIfExists(spec);
            server.stop(0);
        }
        return answered.get();
    }

    private static String[] append(String[] call, String... more) {
        String[] all = new String[call.length + more.length];
        System.arraycopy(call, 0, all, 0, call.length);
        System.arraycopy(more, 0, all, call.length, more.length);
        return all;
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        exchange.getRequestBody().readAllBytes();
        int status = 200;
        String body;
        if ("POST".equals(exchange.getRequestMethod())) {
            status = 400;
            body = PROBLEM;
        } else if (path.endsWith("/snapshots")) {
            body = "{\"items\":[" + SNAPSHOT + "]}";
        } else if (path.endsWith("/events")) {
            body = "{\"items\":[" + EVENT + "]}";
        } else if (path.endsWith("/deployments")) {
            body = "{\"items\":[" + DEPLOYMENT + "]}";
        } else {
            body = DEPLOYMENT;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type",
                status == 200 ? "application/json" : "application/problem+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
