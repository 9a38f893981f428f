package dev.sluice.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real S3-compatible server for tests: s3proxy in its own JVM (its dependencies never meet Sluice's), on a free
 * loopback port, keeping objects on disk under a directory and checking request signatures. The test talks S3 to it
 * with signed HTTP requests of its own, to create buckets and list what Flink and Sluice wrote.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "sluice-test";
    static final String SECRET_KEY = "sluice-test-secret";
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    private static final Pattern CONTENTS = Pattern.compile("<Contents>(.*?)</Contents>", Pattern.DOTALL);
    private static final Pattern KEY = Pattern.compile("<Key>(.*?)</Key>");
    private static final Pattern SIZE = Pattern.compile("<Size>(\\d+)</Size>");

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One object: its key and size in bytes. */
    record S3Object(String key, long size) {}

    private S3ProxyServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts s3proxy (the jar the build copies, system property {@code s3proxy.jar}) with its files in {@code dir}. */
    static S3ProxyServer start(Path dir) throws IOException, InterruptedException {
        String jar = System.getProperty("s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("s3proxy.jar (" + jar + ") is missing: run the test through Maven");
        }
        Files.createDirectories(dir.resolve("blobs"));
        int port = freePort();
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.identity=" + ACCESS_KEY,
                "jclouds.credential=" + SECRET_KEY,
                "jclouds.filesystem.basedir=" + dir.resolve("blobs").toAbsolutePath(),
                ""));
        Path log = dir.resolve("s3proxy.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-jar", jar, "--properties", properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        S3ProxyServer server = new S3ProxyServer(process, port, log);
        server.awaitListening(Duration.ofSeconds(60));
        return server;
    }

    /** The endpoint for Flink's {@code s3.endpoint}. */
    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    void createBucket(String bucket) {
        HttpResponse<String> response = send("PUT", bucket, "", HttpRequest.BodyPublishers.noBody());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("creating bucket " + bucket + ": " + response.statusCode() + " "
                    + response.body());
        }
    }

    /** Every object of {@code bucket} whose key starts with {@code prefix}, in key order. */
    List<S3Object> objects(String bucket, String prefix) {
        List<S3Object> found = new ArrayList<>();
        String marker = "";
        while (true) {
            String query = "prefix=" + encode(prefix) + (marker.isEmpty() ? "" : "&marker=" + encode(marker));
            HttpResponse<String> response = send("GET", bucket, query, HttpRequest.BodyPublishers.noBody());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("listing " + bucket + ": " + response.statusCode() + " "
                        + response.body());
            }
            Matcher contents = CONTENTS.matcher(response.body());
            while (contents.find()) {
                Matcher key = KEY.matcher(contents.group(1));
                Matcher size = SIZE.matcher(contents.group(1));
                if (key.find() && size.find()) {
                    found.add(new S3Object(unescape(key.group(1)), Long.parseLong(size.group(1))));
                }
            }
            if (!response.body().contains("<IsTruncated>true</IsTruncated>") || found.isEmpty()) {
                return found;
            }
            marker = found.get(found.size() - 1).key();
        }
    }

    /** A request signed with AWS signature version 2, path-style. */
    private HttpResponse<String> send(String method, String bucket, String query,
            HttpRequest.BodyPublisher body) {
        String date = HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC));
        String resource = "/" + bucket;
        String toSign = method + "\n\n\n\nx-amz-date:" + date + "\n" + resource;
        URI uri = URI.create(endpoint() + resource + (query.isEmpty() ? "" : "?" + query));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("x-amz-date", date)
                .header("Authorization", "AWS " + ACCESS_KEY + ":" + sign(toSign))
                .method(method, body)
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String sign(String toSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(SECRET_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String unescape(String xml) {
        return xml.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        close();
        throw new IllegalStateException("s3proxy did not listen on " + port + " within " + timeout.toSeconds()
                + " s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
