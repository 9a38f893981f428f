package dev.sluice.control.engine;

import java.util.List;

/** Where a pipeline writes: a sink table, its connector, its Kafka topic (null for other sinks) and primary key. */
public record SinkInfo(String table, String connector, String topic, List<String> primaryKey) {
    /** True when the sink keeps one current row per key (an upsert stream), so only the last record per key counts. */
    public boolean upsert() {
        return "upsert-kafka".equals(connector) || !primaryKey.isEmpty();
    }
}
