package dev.sluice.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.streams.StreamStorage.StreamRecord;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real in-JVM broker: topics, transactional visibility, restart with data and port kept. */
class EmbeddedKafkaTest {

    private static final String TOPIC = "orders";

    @TempDir
    Path dir;

    @Test
    void keepsCommittedRecordsAndPortAcrossRestart() throws Exception {
        int port;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            port = kafka.port();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);

            kafka.ensureTopic(TOPIC, 1);
            kafka.ensureTopic(TOPIC, 1); // idempotent
            assertThat(kafka.topics()).containsExactly(TOPIC); // internal topics are left out

            try (KafkaProducer<String, String> producer = transactionalProducer(kafka)) {
                producer.initTransactions();
                sendInTransaction(producer, true, "k1", "v1", "k2", "v2");
                sendInTransaction(producer, false, "k3", "aborted");
                sendInTransaction(producer, true, "k4", "v4");
            }
            assertThat(values(readAll(kafka))).containsExactly("v1", "v2", "v4");

            // From the end: only what arrives after the call is seen.
            assertThat(values(tailFromEnd(kafka, "late"))).containsOnly("late");
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            assertThat(kafka.port()).isEqualTo(port);
            assertThat(kafka.topics()).containsExactly(TOPIC);

            // Tailing a missing topic gives up after maxWait and does not create it.
            List<StreamRecord> none = new ArrayList<>();
            kafka.tail("missing", true, Duration.ofMillis(300), none::add);
            assertThat(none).isEmpty();
            assertThat(kafka.topics()).containsExactly(TOPIC);
            assertThat(values(readAll(kafka))).startsWith("v1", "v2", "v4").doesNotContain("aborted").contains("late");

            // The same port, seen as an external cluster.
            try (ExternalKafka external = new ExternalKafka(kafka.bootstrapServers())) {
                external.ensureTopic("events", 2);
                assertThat(external.topics()).containsExactly("events", TOPIC);
            }
        }
    }

    @Test
    void picksAnotherPortWhenTheRememberedOneIsTaken() throws Exception {
        int first;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            first = kafka.port();
        }
        try (ServerSocket squatter = new ServerSocket(first, 1, InetAddress.getByName("127.0.0.1"));
                EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0)) {
            assertThat(kafka.port()).isNotEqualTo(first);
            kafka.ensureTopic("t", 1);
            assertThat(kafka.topics()).contains("t");
        }
    }

    private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-tx",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000),
                new StringSerializer(), new StringSerializer());
    }

    private static void sendInTransaction(KafkaProducer<String, String> producer, boolean commit, String... kv) {
        producer.beginTransaction();
        for (int i = 0; i < kv.length; i += 2) {
            producer.send(new ProducerRecord<>(TOPIC, kv[i], kv[i + 1]));
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush(); // the aborted records do reach the log; read_committed must hide them
            producer.abortTransaction();
        }
    }

    private static List<StreamRecord> readAll(EmbeddedKafka kafka) {
        List<StreamRecord> seen = new ArrayList<>();
        kafka.tail(TOPIC, true, Duration.ofMillis(1500), seen::add);
        return seen;
    }

    /** Tails from the end in the background and produces {@code value} until the tail has seen something. */
    private static List<StreamRecord> tailFromEnd(EmbeddedKafka kafka, String value) throws Exception {
        List<StreamRecord> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> tail = CompletableFuture.runAsync(
                () -> kafka.tail(TOPIC, false, Duration.ofSeconds(10), r -> {
                    seen.add(r);
                    return false; // one is enough
                }));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 50 && seen.isEmpty(); i++) {
                producer.send(new ProducerRecord<>(TOPIC, "late", value)).get();
                Thread.sleep(100);
            }
        }
        tail.get(15, TimeUnit.SECONDS);
        return seen;
    }

    private static List<String> values(List<StreamRecord> records) {
        return records.stream().map(StreamRecord::value).toList();
    }
}
