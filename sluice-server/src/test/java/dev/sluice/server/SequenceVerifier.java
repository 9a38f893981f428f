package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Exactly-once under load: a generator writes per-key sequence numbers 0, 1, 2, ... to an input topic; the pipeline
 * under test counts per key and writes one record per input; this verifier reads the output read_committed and counts,
 * per key, lost, duplicated and out-of-order sequence numbers, and whether the count (the pipeline's state) equals the
 * number of inputs seen so far.
 */
public final class SequenceVerifier implements AutoCloseable {
    private final String bootstrap;
    private final String input;
    private final int keys;
    private final long[] next;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong produced = new AtomicLong();
    private final Thread generator;

    /** Starts generating {@code perSecond} records per second over {@code keys} keys. */
    public SequenceVerifier(String bootstrap, String input, int keys, int perSecond) {
        this.bootstrap = bootstrap;
        this.input = input;
        this.keys = keys;
        this.next = new long[keys];
        this.generator = new Thread(() -> generate(perSecond), "sequence-generator");
        generator.start();
    }

    private void generate(int perSecond) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            long pause = 1_000_000_000L / perSecond;
            long at = System.nanoTime();
            int key = 0;
            while (running.get()) {
                String k = "key-" + key;
                producer.send(new ProducerRecord<>(input, k, "{\"k\":\"" + k + "\",\"seq\":" + next[key] + "}"));
                next[key]++;
                produced.incrementAndGet();
                key = (key + 1) % keys;
                at += pause;
                long sleep = at - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the generator; returns how many records it wrote. */
    public long stop() throws InterruptedException {
        running.set(false);
        generator.join();
        return produced.get();
    }

    /** What the output holds, per the rules above. */
    public record Report(long records, long lost, long duplicated, long outOfOrder, long wrongCounts) {
        public boolean clean() {
            return lost == 0 && duplicated == 0 && outOfOrder == 0 && wrongCounts == 0;
        }
    }

    /** Reads the whole output and checks it against what the generator wrote (call after {@link #stop()}). */
    public Report verify(String output) {
        Map<String, Long> expectedNext = new HashMap<>();
        long[] records = {0};
        long[] duplicated = {0};
        long[] outOfOrder = {0};
        long[] wrongCounts = {0};
        Map<String, java.util.BitSet> seen = new HashMap<>();
        TestTopics.readCommitted(bootstrap, output, r -> {
            JsonNode v = TestTopics.json(r.value());
            String k = v.path("k").asText();
            long seq = v.path("seq").asLong();
            records[0]++;
            java.util.BitSet bits = seen.computeIfAbsent(k, x -> new java.util.BitSet());
            if (bits.get((int) seq)) {
                duplicated[0]++;
                return;
            }
            bits.set((int) seq);
            long want = expectedNext.getOrDefault(k, 0L);
            if (seq != want) {
                outOfOrder[0]++;
            }
            expectedNext.put(k, Math.max(want, seq + 1));
            if (v.path("n").asLong() != seq + 1) {
                wrongCounts[0]++;
            }
        });
        long lost = 0;
        for (int key = 0; key < keys; key++) {
            java.util.BitSet bits = seen.getOrDefault("key-" + key, new java.util.BitSet());
            lost += next[key] - bits.cardinality();
        }
        return new Report(records[0], lost, duplicated[0], outOfOrder[0], wrongCounts[0]);
    }

    /** A pipeline doing what the verifier expects: per-key running count with every input, in one of two variants. */
    public static String pipeline(String name, String input, String output, int variant, int parallelism) {
        return pipeline(name, input, output, variant, parallelism, "embedded");
    }

    /** As {@link #pipeline(String, String, String, int, int)}, on a named target. */
    public static String pipeline(String name, String input, String output, int variant, int parallelism,
            String target) {
        String projection = variant == 0 ? "k, seq, n" : "k, seq, n, CONCAT('variant-', k) AS tag";
        String extraColumn = variant == 0 ? "" : ", tag STRING";
        return """
                apiVersion: sluice.dev/v1
                kind: Pipeline
                metadata:
                  name: %1$s
                spec:
                  sql: |
                    CREATE TABLE src (k STRING, seq BIGINT, pt AS PROCTIME()) WITH (
                      'connector' = 'kafka',
                      'topic' = '%2$s',
                      'properties.bootstrap.servers' = '${kafka.bootstrapServers}',
                      'properties.group.id' = '%1$s',
                      'properties.isolation.level' = 'read_committed',
                      'scan.startup.mode' = 'earliest-offset',
                      'format' = 'json'
                    );
                    CREATE TABLE out_t (k STRING, seq BIGINT, n BIGINT%5$s) WITH (
                      'connector' = 'kafka',
                      'topic' = '%3$s',
                      'properties.bootstrap.servers' = '${kafka.bootstrapServers}',
                      'key.format' = 'json',
                      'key.fields' = 'k',
                      'value.format' = 'json',
                      'sink.delivery-guarantee' = 'exactly-once',
                      'sink.transactional-id-prefix' = '%1$s'
                    );
                    INSERT INTO out_t SELECT %4$s FROM (
                      SELECT k, seq, COUNT(*) OVER (PARTITION BY k ORDER BY pt ROWS BETWEEN UNBOUNDED PRECEDING
                        AND CURRENT ROW) AS n
                      FROM src);
                  parallelism: %6$d
                  checkpoints: {interval: 1s}
                  target: %7$s
                """.formatted(name, input, output, projection, extraColumn, parallelism, target);
    }


    /**
     * Stops the generator, waits until the output holds a record for every input written, and asserts that nothing
     * was lost, duplicated or reordered and that every count is right.
     */
    public Report stopAndAssertExactlyOnce(String output, Duration timeout) throws InterruptedException {
        long produced = stop();
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> verify(output).records() >= produced);
        Report report = verify(output);
        org.assertj.core.api.Assertions.assertThat(report.records()).as(report.toString()).isEqualTo(produced);
        org.assertj.core.api.Assertions.assertThat(report).as(report.toString()).matches(Report::clean);
        return report;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
