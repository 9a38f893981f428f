package dev.sluice.engine.flink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.EngineException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.table.factories.Factory;

/**
 * The jars a remote cluster needs, beside its own Flink distribution, to run a compiled SQL plan: those of the
 * connectors and formats the plan's tables name, taken from Sluice's own classpath (same Flink version) and shipped
 * with the job. A connector that a Flink distribution carries in {@code lib/} (datagen, blackhole, print,
 * filesystem, json, csv) ships nothing.
 */
final class ConnectorJars {
    /** Connectors and formats whose jar alone is not enough: every class whose jar must travel with it. */
    private static final Map<String, List<String>> BUNDLES = Map.of(
            "kafka", List.of("org.apache.flink.streaming.connectors.kafka.table.KafkaDynamicTableFactory",
                    "org.apache.flink.connector.base.source.reader.SourceReaderBase",
                    "org.apache.kafka.clients.producer.KafkaProducer"),
            "upsert-kafka", List.of("org.apache.flink.streaming.connectors.kafka.table.UpsertKafkaDynamicTableFactory",
                    "org.apache.flink.connector.base.source.reader.SourceReaderBase",
                    "org.apache.kafka.clients.producer.KafkaProducer"));

    /** Part of a Flink distribution: never shipped. */
    private static final Set<String> IN_DISTRIBUTION = Set.of("datagen", "blackhole", "print", "filesystem", "json",
            "csv", "raw");

    private ConnectorJars() {}

    /** Identifiers of the connectors and formats a compiled plan's tables use, sorted. */
    static Set<String> identifiers(CompiledPipeline pipeline) {
        JsonNode plan = PlanSinks.readPlan(pipeline);
        Set<String> found = new TreeSet<>();
        for (JsonNode options : plan.findValues("options")) {
            options.fields().forEachRemaining(option -> {
                String key = option.getKey();
                if (key.equals("connector") || key.equals("format") || key.endsWith(".format")) {
                    found.add(option.getValue().asText());
                }
            });
        }
        return found;
    }

    /** The jar URLs to ship with a job that runs this plan. */
    static List<String> forPlan(CompiledPipeline pipeline) {
        Set<String> jars = new LinkedHashSet<>();
        for (String identifier : identifiers(pipeline)) {
            if (IN_DISTRIBUTION.contains(identifier)) {
                continue;
            }
            List<String> classes = BUNDLES.get(identifier);
            if (classes != null) {
                classes.forEach(c -> jars.add(jarOf(load(c, identifier))));
            } else {
                factory(identifier).ifPresent(f -> jars.add(jarOf(f)));
            }
        }
        return List.copyOf(jars);
    }

    private static Class<?> load(String className, String identifier) {
        try {
            return Class.forName(className, false, ConnectorJars.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new EngineException("connector '" + identifier + "' is not on Sluice's classpath (" + className + ")", e);
        }
    }

    private static java.util.Optional<Class<?>> factory(String identifier) {
        for (Factory f : ServiceLoader.load(Factory.class, ConnectorJars.class.getClassLoader())) {
            if (identifier.equals(f.factoryIdentifier())) {
                return java.util.Optional.of(f.getClass());
            }
        }
        return java.util.Optional.empty();
    }

    private static String jarOf(Class<?> type) {
        URL location = type.getProtectionDomain().getCodeSource().getLocation();
        try {
            Path path = Path.of(location.toURI());
            return path.toUri().toURL().toString();
        } catch (URISyntaxException | IOException e) {
            throw new EngineException("cannot locate the jar of " + type.getName() + ": " + location, e);
        }
    }
}
