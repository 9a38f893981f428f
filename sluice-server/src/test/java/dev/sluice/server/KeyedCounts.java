package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * A keyed, stateful test pipeline over a bounded, throttled source: it counts and sums per key the numbers 0 to
 * {@code total - 1} and writes the running aggregates exactly-once to an upsert Kafka topic. (A bounded Kafka source
 * would do too, but it never finishes after a restore: FLINK-31006.) An interrupted
 * run must end with exactly the aggregates of an uninterrupted one.
 */
public final class KeyedCounts {
    public static final int KEYS = 7;
    private final String name;
    private final int total;

    private final int rowsPerSecond;
    private String target = "embedded";

    /** Counts the numbers 0 to {@code total - 1}, generated at {@code rowsPerSecond}. */
    public KeyedCounts(String name, int total, int rowsPerSecond) {
        this.name = name;
        this.total = total;
        this.rowsPerSecond = rowsPerSecond;
    }

    /** The same pipeline on another target. */
    public KeyedCounts on(String targetName) {
        this.target = targetName;
        return this;
    }

    public String output() {
        return name + "-out";
    }

    public String yaml() {
        return """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: %1$s
                spec:
                  sql: |
                    CREATE TABLE src (v BIGINT) WITH (
                      'connector' = 'datagen',
                      'fields.v.kind' = 'sequence',
                      'fields.v.start' = '0',
                      'fields.v.end' = '%3$d',
                      'rows-per-second' = '%4$d'
                    );
                    CREATE TABLE counts (k STRING, n BIGINT, total BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH (
                      'connector' = 'upsert-kafka',
                      'topic' = '%2$s',
                      'properties.bootstrap.servers' = '${kafka.bootstrapServers}',
                      'key.format' = 'json',
                      'value.format' = 'json',
                      'sink.delivery-guarantee' = 'exactly-once',
                      'sink.transactional-id-prefix' = '%1$s'
                    );
                    INSERT INTO counts SELECT CONCAT('k', CAST(v %% %5$d AS STRING)), COUNT(*), SUM(v)
                      FROM src GROUP BY CONCAT('k', CAST(v %% %5$d AS STRING));
                  parallelism: 2
                  checkpoints: {interval: 1s}
                  target: %6$s
                """.formatted(name, output(), total - 1, rowsPerSecond, KEYS, target);
    }

    /**
     * The same pipeline with an aggregation that throws on every record (a CAST of text that is no number): its job
     * fails and Flink restarts it again and again, quickly ({@code extra} adds spec fields).
     */
    public String failingYaml(String extra) {
        return yaml().replace("SUM(v)", "SUM(CAST(CONCAT('x', CAST(v AS STRING)) AS BIGINT))")
                + "  flinkConfiguration: {restart-strategy.type: fixed-delay, restart-strategy.fixed-delay.attempts: "
                + "'1000', restart-strategy.fixed-delay.delay: 300 ms}\n" + extra;
    }

    /** What an uninterrupted run over records 0..n-1 gives: key -> [count, sum]. */
    public static Map<String, String> expected(int n) {
        long[] count = new long[KEYS];
        long[] sum = new long[KEYS];
        for (int i = 0; i < n; i++) {
            count[i % KEYS]++;
            sum[i % KEYS] += i;
        }
        Map<String, String> result = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            result.put("k" + k, count[k] + "/" + sum[k]);
        }
        return result;
    }

    /** The latest committed aggregate per key in the output topic: key -> "count/sum". */
    public Map<String, String> committed(String bootstrapServers) {
        Map<String, String> latest = new HashMap<>();
        TestTopics.readCommitted(bootstrapServers, output(), r -> {
            if (r.value() == null) {
                latest.remove(r.key());
                return;
            }
            JsonNode v = TestTopics.json(r.value());
            latest.put(TestTopics.json(r.key()).path("k").asText(), v.path("n").asLong() + "/" + v.path("total").asLong());
        });
        return latest;
    }

    /** How many inputs the committed aggregates account for. */
    public long countedInputs(String bootstrapServers) {
        return committed(bootstrapServers).values().stream().mapToLong(s -> Long.parseLong(s.split("/")[0])).sum();
    }

}
