package dev.sluice.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.model.Durations;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SpecError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server's configuration ({@code sluice.yaml}); every option is declared here once, with its default and what it
 * does. Command-line flags override the file.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SluiceConfig(
        @JsonPropertyDescription("Directory for the metadata database, snapshots and the embedded broker's log. Default ./sluice-data.")
        String dataDir,
        @JsonPropertyDescription("HTTP port of the API and console on 127.0.0.1. Default 8080; 0 picks a free port.")
        Integer port,
        @JsonPropertyDescription("Stream storage.")
        Kafka kafka,
        @JsonPropertyDescription("The embedded Flink cluster.")
        Flink flink,
        @JsonPropertyDescription("How often the reconciler looks at every deployment. Default 1s.")
        String reconcileInterval) {

    /** Stream storage: the embedded broker's port, or an external cluster's bootstrap servers. */
    public record Kafka(
            @JsonPropertyDescription("Port of the embedded broker on 127.0.0.1; 0 (default) reuses the port of the last run, else a free one.")
            Integer port,
            @JsonPropertyDescription("Use this external Kafka cluster instead of the embedded broker.")
            String bootstrapServers) {}

    /** The embedded Flink MiniCluster. */
    public record Flink(
            @JsonPropertyDescription("Task slots of the embedded TaskManager. Default 8.")
            Integer slots) {}

    public static SluiceConfig defaults() {
        return new SluiceConfig(null, null, null, null, null);
    }

    /** Reads a config file strictly: unknown fields are errors naming line and column. */
    public static SluiceConfig read(Path file) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            SluiceConfig config = yaml.readValue(Files.readString(file), SluiceConfig.class);
            return config == null ? defaults() : config;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
            throw new InvalidSpecException(new SpecError(file.toString(), line, column, e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidSpecException(new SpecError(file.toString(), 0, 0, "cannot read: " + e.getMessage()));
        }
    }

    public Path dataDirectory() {
        return Path.of(dataDir == null ? "sluice-data" : dataDir).toAbsolutePath().normalize();
    }

    public int httpPort() {
        return port == null ? 8080 : port;
    }

    public int kafkaPort() {
        return kafka == null || kafka.port() == null ? 0 : kafka.port();
    }

    public String externalKafka() {
        return kafka == null ? null : kafka.bootstrapServers();
    }

    public int flinkSlots() {
        return flink == null || flink.slots() == null ? 8 : flink.slots();
    }

    public Duration reconcileEvery() {
        return reconcileInterval == null ? Duration.ofSeconds(1) : Durations.parse(reconcileInterval);
    }

    public SluiceConfig withDataDir(String dir) {
        return new SluiceConfig(dir, port, kafka, flink, reconcileInterval);
    }

    public SluiceConfig withPort(int httpPort) {
        return new SluiceConfig(dataDir, httpPort, kafka, flink, reconcileInterval);
    }
}
