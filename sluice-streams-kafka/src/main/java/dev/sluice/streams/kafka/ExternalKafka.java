package dev.sluice.streams.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link dev.sluice.control.streams.StreamStorage} over an existing Kafka cluster; Sluice does not manage its lifecycle. */
public final class ExternalKafka extends KafkaStreamStorage {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalKafka.class);

    /** Uses the cluster at {@code bootstrapServers} (a Kafka {@code bootstrap.servers} list); does not connect yet. */
    public ExternalKafka(String bootstrapServers) {
        super(requireNonBlank(bootstrapServers));
        LOG.info("Using external Kafka at {}", bootstrapServers);
    }

    private static String requireNonBlank(String bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must not be blank");
        }
        return bootstrapServers.strip();
    }
}
