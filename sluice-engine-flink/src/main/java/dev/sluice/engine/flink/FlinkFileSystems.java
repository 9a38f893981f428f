package dev.sluice.engine.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginDescriptor;
import org.apache.flink.core.plugin.PluginManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's file systems in this JVM: those on the class path plus the plugins of a Flink plugins directory (such as
 * {@code s3-fs-hadoop/}), configured with Sluice's Flink options. Flink's own processes do this at start-up; the
 * MiniCluster does not, so Sluice does it once for itself and for the embedded cluster. The set-up is JVM-wide.
 */
public final class FlinkFileSystems {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkFileSystems.class);
    /** The system property naming the plugins directory; {@code bin/sluice} sets it. */
    public static final String PLUGINS_DIR_PROPERTY = "sluice.flinkPluginsDir";
    /** Flink's own environment variable for it, honoured when the property is not set. */
    public static final String PLUGINS_DIR_ENV = "FLINK_PLUGINS_DIR";
    private static final String AWS_SDK_V1_NOTICE = "aws.java.v1.disableDeprecationAnnouncement";

    private FlinkFileSystems() {}

    /** The plugins directory: {@code -Dsluice.flinkPluginsDir}, else {@code FLINK_PLUGINS_DIR}, else none. */
    public static Optional<Path> pluginsDirectory() {
        String dir = System.getProperty(PLUGINS_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = System.getenv(PLUGINS_DIR_ENV);
        }
        return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir).toAbsolutePath().normalize());
    }

    /**
     * (Re)configures Flink's file systems with {@code options} and the plugins found in {@code pluginsDir} (a missing
     * directory has none); returns the ids of the plugins loaded.
     */
    public static List<String> initialize(Map<String, String> options, Optional<Path> pluginsDir) {
        Configuration conf = Configuration.fromMap(options);
        Collection<PluginDescriptor> plugins = pluginsDir.filter(Files::isDirectory).map(FlinkFileSystems::find)
                .orElse(List.of());
        // The patterns PluginConfig would give, without its warning about Flink's default ./plugins directory.
        PluginManager manager = new DefaultPluginManager(plugins, CoreOptions.getPluginParentFirstLoaderPatterns(conf));
        // The S3 plugin's AWS SDK v1 prints a deprecation notice with a stack trace; Sluice users cannot act on it.
        if (System.getProperty(AWS_SDK_V1_NOTICE) == null) {
            System.setProperty(AWS_SDK_V1_NOTICE, "true");
        }
        FileSystem.initialize(conf, manager);
        List<String> ids = plugins.stream().map(PluginDescriptor::getPluginId).sorted().toList();
        LOG.info("Flink file systems configured; plugins {} from {}", ids,
                pluginsDir.map(Path::toString).orElse("(no plugins directory)"));
        return ids;
    }

    /** Whether Flink has a file system for {@code location}'s scheme (after {@link #initialize}). */
    public static boolean supports(String location) {
        try {
            FileSystem.get(URI.create(location));
            return true;
        } catch (UnsupportedFileSystemSchemeException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + location, e);
        }
    }

    private static Collection<PluginDescriptor> find(Path dir) {
        try {
            return new DirectoryBasedPluginFinder(dir).findPlugins();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Flink plugins directory " + dir, e);
        }
    }
}
