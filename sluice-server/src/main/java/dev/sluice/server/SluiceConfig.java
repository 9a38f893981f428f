package dev.sluice.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.control.snapshots.SnapshotLayout;
import dev.sluice.control.store.JdbcUrls;
import dev.sluice.model.Durations;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SourceLocations;
import dev.sluice.model.SpecError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
        String reconcileInterval,
        @JsonPropertyDescription("Flink session clusters a spec can pick with target:, beside the always-present 'embedded'.")
        List<Target> targets,
        @JsonPropertyDescription("The metadata store. Default: H2 under the data directory.")
        StoreConfig store,
        @JsonPropertyDescription("Where checkpoints and savepoints go. Default: the data directory.")
        Snapshots snapshots) {

    /** Stream storage: the embedded broker's port, or an external cluster's bootstrap servers. */
    public record Kafka(
            @JsonPropertyDescription("Port of the embedded broker on 127.0.0.1; 0 (default) reuses the port of the last run, else a free one.")
            Integer port,
            @JsonPropertyDescription("Use this external Kafka cluster instead of the embedded broker.")
            String bootstrapServers) {}

    /** The embedded Flink MiniCluster, and Flink options for every target. */
    public record Flink(
            @JsonPropertyDescription("Task slots of the embedded TaskManager. Default 8.")
            Integer slots,
            @JsonPropertyDescription("Flink options (for example s3.endpoint) for the embedded cluster, every job "
                    + "Sluice submits, and Sluice's own access to the snapshot store.")
            Map<String, String> configuration) {}

    /** A Flink session cluster reached over its REST API. */
    public record Target(
            @JsonPropertyDescription("Name a spec uses in target:. Not 'embedded'.")
            String name,
            @JsonPropertyDescription("flink-session (the only type so far).")
            String type,
            @JsonPropertyDescription("The cluster's REST address, for example http://flink-jm:8081.")
            String rest) {}

    /** The metadata store. Credentials never appear in this file's values: they come from the environment or a file. */
    public record StoreConfig(
            @JsonPropertyDescription("h2 (default) or postgres.")
            String type,
            @JsonPropertyDescription("JDBC URL of the PostgreSQL database, for example jdbc:postgresql://db:5432/sluice.")
            String url,
            @JsonPropertyDescription("Database user; the environment variable SLUICE_STORE_USER wins.")
            String user,
            @JsonPropertyDescription("File holding the database password; the environment variable SLUICE_STORE_PASSWORD wins.")
            String passwordFile) {}

    /** Snapshot storage shared by Sluice and every target. */
    public record Snapshots(
            @JsonPropertyDescription("Base location: a directory, file:///..., or s3://bucket/prefix. Default <dataDir>/snapshots.")
            String location,
            @JsonPropertyDescription("Spread checkpoint data files over random key prefixes on s3:// (Flink entropy "
                    + "injection, marker s3.entropy.key, default _entropy_). Default true.")
            Boolean entropy) {}

    public static SluiceConfig defaults() {
        return new SluiceConfig(null, null, null, null, null, null, null, null);
    }

    /**
     * Reads a config file strictly: unknown fields, keys given twice and fractions where a whole number belongs are
     * errors naming line and column.
     */
    public static SluiceConfig read(Path file) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        try {
            String text = Files.readString(file);
            List<SpecError> duplicates = SourceLocations.of(text).duplicates();
            if (!duplicates.isEmpty()) {
                throw new InvalidSpecException(duplicates);
            }
            SluiceConfig config = yaml.readValue(text, SluiceConfig.class);
            return config == null ? defaults() : config.validated(file.toString(), SourceLocations.of(text));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
            throw new InvalidSpecException(new SpecError(file.toString(), line, column, e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidSpecException(new SpecError(file.toString(), 0, 0, "cannot read: " + e.getMessage()));
        }
    }

    /** Checks what the YAML types cannot: required fields, names, known types. */
    public SluiceConfig validated(String source, SourceLocations where) {
        List<SpecError> errors = new java.util.ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>(List.of("embedded"));
        for (int i = 0; i < remoteTargets().size(); i++) {
            Target t = remoteTargets().get(i);
            String at = "targets." + i;
            if (t.name() == null || t.name().isBlank()) {
                errors.add(new SpecError(at + ".name", 0, 0, "required"));
            } else if (!names.add(t.name())) {
                errors.add(new SpecError(at + ".name", 0, 0, "'" + t.name() + "' is already a target"));
            }
            if (t.type() != null && !TargetTypes.configurable().contains(t.type())) {
                errors.add(new SpecError(at + ".type", 0, 0, "unknown type '" + t.type() + "'; expected "
                        + String.join(" or ", TargetTypes.configurable())));
            }
            String restProblem = restProblem(t.rest());
            if (restProblem != null) {
                errors.add(new SpecError(at + ".rest", 0, 0, restProblem));
            }
        }
        if (store != null) {
            String type = store.type() == null ? "h2" : store.type();
            if (!type.equals("h2") && !type.equals("postgres")) {
                errors.add(new SpecError("store.type", 0, 0, "unknown type '" + type + "'; expected h2 or postgres"));
            }
            if (type.equals("postgres") && (store.url() == null || !store.url().startsWith("jdbc:postgresql:"))) {
                errors.add(new SpecError("store.url", 0, 0, "required for postgres: jdbc:postgresql://host:port/db"));
            } else if (store.url() != null && JdbcUrls.hasPassword(store.url())) {
                errors.add(new SpecError("store.url", 0, 0, "must not hold a password; set " + StoreFactory.PASSWORD_ENV
                        + " or store.passwordFile"));
            }
        }
        if (snapshots != null && snapshots.location() != null) {
            validateSnapshotLocation(snapshots.location(), errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors.stream().map(e -> {
                SpecError located = where.error(e.field(), e.message());
                return new SpecError(source, located.line(), located.column(), e.field() + ": " + e.message());
            }).toList());
        }
        return this;
    }

    private void validateSnapshotLocation(String location, List<SpecError> errors) {
        if (location.isBlank()) {
            errors.add(new SpecError("snapshots.location", 0, 0, "must not be empty"));
            return;
        }
        if (!SnapshotLayout.isObjectStore(location)) {
            return;
        }
        String bucket = location.substring(location.indexOf("://") + 3).split("/", 2)[0];
        if (bucket.isEmpty()) {
            errors.add(new SpecError("snapshots.location", 0, 0, "needs a bucket: s3://bucket/prefix"));
        }
        String marker = flinkConfiguration()
                .getOrDefault(SnapshotStorage.ENTROPY_KEY, SnapshotStorage.DEFAULT_ENTROPY_KEY);
        if (snapshotEntropy() && (marker.isEmpty() || marker.contains("/") || location.contains(marker))) {
            errors.add(new SpecError("snapshots.location", 0, 0, "the entropy key '" + marker + "' (s3.entropy.key) "
                    + "must be a plain name that the location does not contain, or set snapshots.entropy: false"));
        }
    }

    /** Why a target's REST address is unusable, or null: Sluice speaks plain HTTP to http://host:port. */
    static String restProblem(String rest) {
        if (rest == null) {
            return "required: the cluster's REST address, http://host:port";
        }
        try {
            java.net.URI uri = new java.net.URI(rest);
            if ("https".equals(uri.getScheme())) {
                return "https is not supported yet; give the cluster's plain http://host:port REST address";
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
                return "expected http://host:port, got \"" + rest + "\"";
            }
            return null;
        } catch (java.net.URISyntaxException e) {
            return "expected http://host:port, got \"" + rest + "\": " + e.getReason();
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

    /** Whether checkpoints on an object store get Flink's entropy injection ({@code snapshots.entropy}). */
    public boolean snapshotEntropy() {
        return snapshots == null || snapshots.entropy() == null || snapshots.entropy();
    }

    public Duration reconcileEvery() {
        return reconcileInterval == null ? Duration.ofSeconds(1) : Durations.parse(reconcileInterval);
    }

    public Map<String, String> flinkConfiguration() {
        return flink == null || flink.configuration() == null ? Map.of() : flink.configuration();
    }

    public List<Target> remoteTargets() {
        return targets == null ? List.of() : targets;
    }

    public SluiceConfig withDataDir(String dir) {
        return new SluiceConfig(dir, port, kafka, flink, reconcileInterval, targets, store, snapshots);
    }

    public SluiceConfig withPort(int httpPort) {
        return new SluiceConfig(dataDir, httpPort, kafka, flink, reconcileInterval, targets, store, snapshots);
    }

    public SluiceConfig withTargets(List<Target> remote) {
        return new SluiceConfig(dataDir, port, kafka, flink, reconcileInterval, remote, store, snapshots);
    }

    public SluiceConfig withStore(StoreConfig storeConfig) {
        return new SluiceConfig(dataDir, port, kafka, flink, reconcileInterval, targets, storeConfig, snapshots);
    }

    public SluiceConfig withSnapshots(Snapshots snapshotConfig) {
        return new SluiceConfig(dataDir, port, kafka, flink, reconcileInterval, targets, store, snapshotConfig);
    }

    public SluiceConfig withFlinkConfiguration(Map<String, String> options) {
        return new SluiceConfig(dataDir, port, kafka, new Flink(flink == null ? null : flink.slots(), options),
                reconcileInterval, targets, store, snapshots);
    }
}
