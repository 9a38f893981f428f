package dev.sluice.control.compare;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.SinkInfo;
import dev.sluice.control.lifecycle.ConflictException;
import dev.sluice.control.lifecycle.DeploymentService;
import dev.sluice.control.lifecycle.Targets;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.VersionRow;
import dev.sluice.control.streams.StreamStorage;
import dev.sluice.model.Comparison;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.Json;
import dev.sluice.model.PipelineSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * {@code compare A B}: the outputs of two deployments (for example a version and its fork over the same input),
 * record by record. An upsert sink is compared by its current row per key; an append sink by how often each record
 * occurs. Proves a new version before it is promoted.
 */
public final class OutputComparison {
    private static final int EXAMPLES = 10;
    private final Store store;
    private final Targets targets;
    private final StreamStorage streams;
    private final DeploymentService deployments;

    public OutputComparison(Store store, Targets targets, StreamStorage streams, DeploymentService deployments) {
        this.store = store;
        this.targets = targets;
        this.streams = streams;
        this.deployments = deployments;
    }

    public Comparison compare(DeploymentKey a, DeploymentKey b) {
        SinkInfo sinkA = sink(a);
        SinkInfo sinkB = sink(b);
        boolean upsert = sinkA.upsert() && sinkB.upsert();
        Map<String, String> left = new HashMap<>();
        Map<String, String> right = new HashMap<>();
        long recordsA = read(sinkA.topic(), upsert, left);
        long recordsB = read(sinkB.topic(), upsert, right);
        long matching = 0;
        long onlyA = 0;
        long onlyB = 0;
        long different = 0;
        List<Comparison.Mismatch> examples = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(left.keySet());
        keys.addAll(right.keySet());
        for (String key : keys) {
            String x = left.get(key);
            String y = right.get(key);
            if (Objects.equals(x, y)) {
                matching++;
                continue;
            }
            if (y == null) {
                onlyA++;
            } else if (x == null) {
                onlyB++;
            } else {
                different++;
            }
            if (examples.size() < EXAMPLES) {
                examples.add(new Comparison.Mismatch(key, x, y));
            }
        }
        return new Comparison(new Comparison.Side(a.toString(), sinkA.topic(), recordsA, left.size()),
                new Comparison.Side(b.toString(), sinkB.topic(), recordsB, right.size()), upsert,
                onlyA + onlyB + different == 0, matching, onlyA, onlyB, different, List.copyOf(examples));
    }

    private SinkInfo sink(DeploymentKey key) {
        DeploymentRow row = deployments.require(key);
        int version = row.runningVersion == null ? row.specVersion : row.runningVersion;
        VersionRow stored = store.versions().find(key, version).orElseThrow();
        PipelineSpec spec = Json.read(stored.spec, PipelineSpec.class).withDefaults();
        return targets.get(spec.target()).sinks(new CompiledPipeline(stored.planKind, stored.plan)).stream()
                .filter(s -> s.topic() != null)
                .findFirst()
                .orElseThrow(() -> new ConflictException("deployment " + key + " writes to no Kafka topic"));
    }

    /**
     * Reads a topic's committed records into {@code into}: for an upsert stream the current value per key; otherwise
     * each distinct record (key and value) with its number of occurrences. Returns the number of records read.
     */
    private long read(String topic, boolean upsert, Map<String, String> into) {
        long[] records = {0};
        Map<String, Long> occurrences = new HashMap<>();
        streams.tail(topic, true, Duration.ofSeconds(1), r -> {
            records[0]++;
            if (upsert) {
                if (r.value() == null) {
                    into.remove(r.key());
                } else {
                    into.put(r.key(), r.value());
                }
            } else {
                occurrences.merge(r.key() + " -> " + r.value(), 1L, Long::sum);
            }
            return true;
        });
        occurrences.forEach((record, n) -> into.put(record, n + "x"));
        return records[0];
    }
}
