package dev.sluice.engine.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link JobRecords} reads Flink's metric answers, with answers as a JobManager gives them early in a job's life
 * (the real thing is exercised by the MiniCluster and cluster suites; what they cannot force is the order in which a
 * JobManager learns of metrics).
 */
class JobRecordsTest {
    private static final String JOB = "0123456789abcdef0123456789abcdef";
    private static final JobRecords.Vertex SOURCE = new JobRecords.Vertex("v1", "Source: clicks[1] -> Calc[2]");
    private static final JobRecords.Vertex SINK = new JobRecords.Vertex("v2", "GroupAggregate[4] -> counts[5]: Writer");
    private static final JobRecords.Vertex MIDDLE = new JobRecords.Vertex("v3", "Calc[3]");

    private HttpServer server;
    /** What the JobManager answers: per path for the lists of metrics, per path + "?sum" for their sums. */
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final List<String> asked = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            synchronized (asked) {
                asked.add(query == null ? path : path + "?" + query);
            }
            String body = answers.get(query != null && query.startsWith("agg=sum") ? path + "?sum" : path);
            if (body != null && query != null && query.startsWith("agg=sum")) {
                body = onlyAskedFor(body, query.substring(query.indexOf("get=") + 4)); // as Flink answers
            }
            byte[] bytes = (body == null ? "{\"errors\":[\"not found\"]}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** The metrics of a sums answer that the query's {@code get} names. */
    private static String onlyAskedFor(String answer, String get) {
        List<String> names = List.of(get.split(","));
        try {
            var all = dev.sluice.model.Json.MAPPER.readTree(answer);
            var kept = dev.sluice.model.Json.MAPPER.createArrayNode();
            all.forEach(m -> {
                if (names.contains(m.path("id").asText())) {
                    kept.add(m);
                }
            });
            return kept.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private URI rest() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static String metrics(String vertex) {
        return "/jobs/" + JOB + "/vertices/" + vertex + "/subtasks/metrics";
    }

    @Test
    void countsOnlyOnceEverySourceAndSinkHasItsMetricsAndAsksForThoseAlone() {
        // Early on the source's vertex lists task metrics but not yet its operators'.
        answers.put(metrics("v1"), "[{\"id\":\"numRecordsOut\"},{\"id\":\"busyTimeMsPerSecond\"}]");
        answers.put(metrics("v2"), "[{\"id\":\"counts[5]__Writer.numRecordsIn\"},{\"id\":\"GroupAggregate[4].numRecordsIn\"},"
                + "{\"id\":\"numRecordsIn\"}]");
        answers.put(metrics("v2") + "?sum", "[{\"id\":\"counts[5]__Writer.numRecordsIn\",\"sum\":40.0},"
                + "{\"id\":\"GroupAggregate[4].numRecordsIn\",\"sum\":90.0},{\"id\":\"numRecordsIn\",\"sum\":90.0}]");
        JobRecords records = new JobRecords(new RestJson(rest()), Duration.ZERO);
        assertThat(records.of(JOB, List.of(SOURCE, MIDDLE, SINK))).isEqualTo(JobRecords.Counts.UNKNOWN);

        answers.put(metrics("v1"), "[{\"id\":\"numRecordsOut\"},{\"id\":\"Source__clicks[1].numRecordsOut\"},"
                + "{\"id\":\"Source__clicks[1].numRecordsIn\"},{\"id\":\"Calc[2].numRecordsOut\"}]");
        answers.put(metrics("v1") + "?sum", "[{\"id\":\"Source__clicks[1].numRecordsOut\",\"sum\":100.0}]");
        assertThat(records.of(JOB, List.of(SOURCE, MIDDLE, SINK))).isEqualTo(new JobRecords.Counts(100L, 40L));
        answers.put(metrics("v1") + "?sum", "[{\"id\":\"Source__clicks[1].numRecordsOut\",\"sum\":180.0}]");
        assertThat(records.of(JOB, List.of(SOURCE, MIDDLE, SINK))).isEqualTo(new JobRecords.Counts(180L, 40L));
        assertThat(asked).as("which metrics to ask for is looked up once per vertex, once complete")
                .filteredOn(p -> p.equals(metrics("v1"))).hasSize(2);
        assertThat(asked).as("a vertex with neither a source nor a sink is never asked about")
                .noneMatch(p -> p.contains("/v3/"));
        assertThat(asked).as("the sums asked for are the sources' records out and the sink writers' records in")
                .contains(metrics("v1") + "?agg=sum&get=Source__clicks[1].numRecordsOut",
                        metrics("v2") + "?agg=sum&get=counts[5]__Writer.numRecordsIn");
    }

    @Test
    void aFailedAnswerKeepsTheLastCounts() {
        answers.put(metrics("v1"), "[{\"id\":\"Source__clicks[1].numRecordsOut\"}]");
        answers.put(metrics("v1") + "?sum", "[{\"id\":\"Source__clicks[1].numRecordsOut\",\"sum\":7.0}]");
        // A DataStream sink named "Sink": its committer counts committables, not records.
        answers.put(metrics("v2"), "[{\"id\":\"Sink__Writer.numRecordsIn\"},{\"id\":\"Sink__Committer.numRecordsIn\"}]");
        answers.put(metrics("v2") + "?sum", "[{\"id\":\"Sink__Writer.numRecordsIn\",\"sum\":5.0},"
                + "{\"id\":\"Sink__Committer.numRecordsIn\",\"sum\":2.0}]");
        JobRecords.Vertex dataStreamSink = new JobRecords.Vertex("v2", "count -> Sink: Writer -> Sink: Committer");
        JobRecords records = new JobRecords(new RestJson(rest()), Duration.ZERO);
        assertThat(records.of(JOB, List.of(SOURCE, dataStreamSink))).isEqualTo(new JobRecords.Counts(7L, 5L));

        server.stop(0);
        assertThat(records.of(JOB, List.of(SOURCE, dataStreamSink))).isEqualTo(new JobRecords.Counts(7L, 5L));
        assertThat(new JobRecords(new RestJson(rest()), Duration.ZERO).of(JOB, List.of(SOURCE, dataStreamSink)))
                .isEqualTo(JobRecords.Counts.UNKNOWN);
    }
}
