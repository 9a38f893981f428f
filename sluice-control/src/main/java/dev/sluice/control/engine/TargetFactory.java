package dev.sluice.control.engine;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the engine of one kind of target (an in-process cluster, a session cluster, later a cluster per deployment):
 * a new kind of target is a new factory and one registration, and the control plane sees only the {@link Engine}.
 */
public interface TargetFactory {
    /** The type {@code sluice.yaml} names in {@code targets[].type}. */
    String type();

    /**
     * Starts the target, or connects to it. Throws when it cannot start; a remote cluster that does not answer yet is
     * not a failure (its {@link Started#configuration} is empty and its deployments wait for it).
     */
    Started start(Settings settings);

    /**
     * What a target is made from: its name and type, its own options ({@code rest}, {@code slots}, ...), the Flink
     * options of every target (snapshot storage access), and a directory for its files.
     */
    record Settings(String name, String type, Map<String, String> options, Map<String, String> flinkConfiguration,
            Path workDirectory) {
        /** One of the target's own options, or {@code fallback}. */
        public String option(String key, String fallback) {
            return options.getOrDefault(key, fallback);
        }
    }

    /**
     * A started target: its engine; what {@code GET /api/v1/info} says of it ({@code rest}, ...); its own Flink
     * configuration as read at start (empty when it did not answer); and what to close with Sluice besides the engine.
     */
    record Started(Engine engine, Map<String, Object> info, Optional<Map<String, String>> configuration,
            AutoCloseable resources) {}
}
