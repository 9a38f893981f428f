package dev.sluice.control.streams;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** The stream storage port: named, partitioned, durable logs (Kafka topics). Adapters: an embedded broker, an external cluster. */
public interface StreamStorage extends AutoCloseable {

    /** Where clients (and pipelines) connect, as a Kafka {@code bootstrap.servers} list. */
    String bootstrapServers();

    /** Creates the topic unless it exists; idempotent. */
    void ensureTopic(String name, int partitions);

    /** Names of the existing topics, internal ones left out. */
    List<String> topics();

    /**
     * Reads committed records of a topic and hands each to {@code sink} until it returns false or {@code maxWait}
     * passes with no new record. From the beginning, or only records that arrive after the call.
     */
    void tail(String topic, boolean fromBeginning, Duration maxWait, Predicate<StreamRecord> sink);

    @Override
    void close();

    /** One record as read from a stream. */
    record StreamRecord(int partition, long offset, long timestamp, String key, String value) {}
}
