package dev.sluice.streams.kafka;

import dev.sluice.control.streams.StreamStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kafka side of {@link StreamStorage} shared by the embedded broker and an external cluster: topics and tail. */
public abstract class KafkaStreamStorage implements StreamStorage {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStreamStorage.class);

    /** Upper bound for one admin call, so a wrong bootstrap address fails instead of hanging. */
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** How long one consumer poll may block; short so maxWait and the sink's answer are honoured promptly. */
    private static final Duration POLL_SLICE = Duration.ofMillis(200);

    private final String bootstrapServers;
    private final Admin admin;
    private final AtomicBoolean adminClosed = new AtomicBoolean();

    /** Connects the admin client lazily: creating it does not contact the cluster. */
    protected KafkaStreamStorage(String bootstrapServers) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "sluice-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()));
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void ensureTopic(String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        // Replication factor left to the cluster's default.replication.factor (1 on the embedded broker).
        NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty());
        try {
            await(admin.createTopics(List.of(topic)).all(), "create topic " + name);
            LOG.info("Created topic {} with {} partition(s)", name, partitions);
        } catch (KafkaCallException e) {
            if (e.getCause() instanceof TopicExistsException) {
                LOG.debug("Topic {} already exists", name);
                return;
            }
            throw e;
        }
    }

    @Override
    public List<String> topics() {
        // listTopics() leaves internal topics (__consumer_offsets, __transaction_state, ...) out by default.
        List<String> names = new ArrayList<>(await(admin.listTopics().names(), "list topics"));
        names.sort(null);
        return names;
    }

    @Override
    public void tail(String topic, boolean fromBeginning, Duration maxWait, Predicate<StreamRecord> sink) {
        Objects.requireNonNull(sink, "sink");
        long maxWaitNanos = maxWait.toNanos();
        try (KafkaConsumer<String, String> consumer = newTailConsumer()) {
            List<TopicPartition> partitions = awaitPartitions(consumer, topic, maxWaitNanos);
            if (partitions.isEmpty()) {
                LOG.debug("Topic {} did not appear within {}; nothing to tail", topic, maxWait);
                return;
            }
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
                // seekToEnd is lazy; resolve the positions now so records produced after this call are not skipped.
                partitions.forEach(consumer::position);
            }
            long deadline = System.nanoTime() + maxWaitNanos;
            while (System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
                Duration slice = min(POLL_SLICE, Duration.ofNanos(deadline - System.nanoTime()));
                boolean sawRecord = false;
                for (ConsumerRecord<String, String> r : consumer.poll(slice)) {
                    sawRecord = true;
                    if (!sink.test(new StreamRecord(r.partition(), r.offset(), r.timestamp(), r.key(), r.value()))) {
                        return;
                    }
                }
                if (sawRecord) {
                    deadline = System.nanoTime() + maxWaitNanos;
                }
            }
        }
    }

    /** Closes the admin client; subclasses that own more resources close them after calling this. */
    @Override
    public void close() {
        if (adminClosed.compareAndSet(false, true)) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    private KafkaConsumer<String, String> newTailConsumer() {
        // No group.id: partitions are assigned by hand and nothing is committed.
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "sluice-tail",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // Tailing must not create the topic it looks at.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()),
                new StringDeserializer(), new StringDeserializer());
    }

    /** The topic's partitions, waiting up to maxWait for the topic to exist; empty if it never does. */
    private static List<TopicPartition> awaitPartitions(KafkaConsumer<?, ?> consumer, String topic, long maxWaitNanos) {
        long deadline = System.nanoTime() + maxWaitNanos;
        while (true) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, ADMIN_TIMEOUT);
            } catch (UnknownTopicOrPartitionException e) {
                infos = List.of();
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            if (System.nanoTime() - deadline >= 0 || !sleep(POLL_SLICE)) {
                return List.of();
            }
        }
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaCallException("Kafka failed to " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaCallException("Kafka did not " + what + " within " + ADMIN_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaCallException("Interrupted while waiting to " + what, e);
        }
    }

    /** A Kafka admin call that failed, timed out or was interrupted; the cause is Kafka's own exception. */
    public static final class KafkaCallException extends RuntimeException {
        KafkaCallException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
