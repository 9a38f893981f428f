package dev.sluice.server;

import dev.sluice.control.snapshots.SnapshotLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Snapshot storage as {@code sluice.yaml} describes it: the base location, the entropy marker of its checkpoint
 * directories, and the Flink options that go with them.
 *
 * @param location the base location as a URI: {@code file:///...}, {@code s3://bucket/prefix}, ...
 * @param entropyMarker the marker checkpoint directories carry, or null
 * @param flinkConfiguration {@code flink.configuration} plus the entropy options Sluice sets unless the user did; for
 *     Sluice's file systems, the embedded cluster and every job
 */
record SnapshotStorage(String location, String entropyMarker, Map<String, String> flinkConfiguration) {
    static final String ENTROPY_KEY = "s3.entropy.key";
    static final String ENTROPY_LENGTH = "s3.entropy.length";
    static final String DEFAULT_ENTROPY_KEY = "_entropy_";
    /** Flink's default; 4 alphanumeric characters give 14 million prefixes. */
    static final String DEFAULT_ENTROPY_LENGTH = "4";
    private static final Pattern URI_WITH_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");

    SnapshotStorage {
        flinkConfiguration = Map.copyOf(flinkConfiguration);
    }

    static SnapshotStorage of(SluiceConfig config) {
        String location = location(config);
        Map<String, String> options = new LinkedHashMap<>(config.flinkConfiguration());
        String marker = null;
        if (config.snapshotEntropy() && SnapshotLayout.isObjectStore(location)) {
            options.putIfAbsent(ENTROPY_KEY, DEFAULT_ENTROPY_KEY);
            options.putIfAbsent(ENTROPY_LENGTH, DEFAULT_ENTROPY_LENGTH);
            marker = options.get(ENTROPY_KEY);
        }
        return new SnapshotStorage(location, marker, options);
    }

    /**
     * {@code snapshots.location} as a URI without a trailing slash: a bare directory becomes an absolute
     * {@code file://} one; the default is {@code <dataDir>/snapshots}.
     */
    static String location(SluiceConfig config) {
        String given = config.snapshots() == null ? null : config.snapshots().location();
        String uri;
        if (given == null) {
            uri = config.dataDirectory().resolve("snapshots").toUri().toString();
        } else if (URI_WITH_SCHEME.matcher(given).matches()) {
            uri = given;
        } else {
            uri = Path.of(given).toAbsolutePath().normalize().toUri().toString();
        }
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /**
     * What a session cluster's own configuration lacks for this snapshot storage: a job's options cannot set up a
     * cluster's file systems, so its checkpoints would go astray (a literal entropy marker in their paths, or another
     * S3 endpoint). Empty when nothing is amiss.
     */
    List<String> clusterProblems(Map<String, String> cluster) {
        List<String> problems = new ArrayList<>();
        if (!SnapshotLayout.isObjectStore(location)) {
            return problems;
        }
        if (entropyMarker != null && !entropyMarker.equals(cluster.get(ENTROPY_KEY))) {
            problems.add("its configuration has " + (cluster.containsKey(ENTROPY_KEY)
                    ? ENTROPY_KEY + ": " + cluster.get(ENTROPY_KEY) : "no " + ENTROPY_KEY)
                    + ", so its checkpoints would carry '" + entropyMarker + "' literally and Sluice would not find "
                    + "them; set " + ENTROPY_KEY + ": " + entropyMarker + " and " + ENTROPY_LENGTH + ": "
                    + flinkConfiguration.get(ENTROPY_LENGTH) + " there, or snapshots.entropy: false here");
        }
        String endpoint = flinkConfiguration.get("s3.endpoint");
        if (endpoint != null && !endpoint.equals(cluster.get("s3.endpoint"))) {
            problems.add("its s3.endpoint is " + cluster.getOrDefault("s3.endpoint", "not set") + ", Sluice's is "
                    + endpoint + "; both must reach the same bucket");
        }
        return problems;
    }

    SnapshotLayout layout() {
        return new SnapshotLayout(location, entropyMarker);
    }

    /** The start-up error when Flink has no file system for the location. */
    String noFileSystem(Optional<Path> pluginsDir) {
        String scheme = location.substring(0, location.indexOf(':'));
        String plugin = SnapshotLayout.isObjectStore(location)
                ? "the S3 file system plugin (flink-s3-fs-hadoop) in <plugins>/s3-fs-hadoop/"
                : "a Flink file system plugin for '" + scheme + "' in a sub-directory of <plugins>";
        return "snapshots.location is " + location + ", but Flink has no file system for '" + scheme + "': it needs "
                + plugin + ", and the plugins directory "
                + pluginsDir.map(d -> d + (Files.isDirectory(d) ? " has none" : " does not exist")).orElse("is not set")
                + " (bin/sluice sets -Dsluice.flinkPluginsDir; else FLINK_PLUGINS_DIR is used)";
    }
}
