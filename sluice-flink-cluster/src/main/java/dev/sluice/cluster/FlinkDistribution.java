package dev.sluice.cluster;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the cluster's jars and java come from: the classpath file the module's build writes
 * (target/flink-classpath.txt, the jars of a Flink distribution's lib/ as resolved by Maven), and the java of
 * JAVA_HOME or else the one running this code.
 */
record FlinkDistribution(String classpath, String java, Optional<Path> plugins) {

    /** A system property naming the classpath file; bin/flink-cluster sets it. */
    static final String CLASSPATH_PROPERTY = "sluice.flink.classpath";

    /** The same as an environment variable. */
    static final String CLASSPATH_ENV = "SLUICE_FLINK_CLASSPATH";

    static final String CLASSPATH_FILE = "flink-classpath.txt";

    /** Next to the classpath file: one folder per plugin (s3-fs-hadoop), as in a distribution's plugins/. */
    static final String PLUGINS_DIR = "flink-plugins";

    static FlinkDistribution locate() {
        Path file = classpathFile();
        try {
            String classpath = Files.readString(file).trim();
            if (classpath.isEmpty()) {
                throw new IllegalStateException(file + " is empty");
            }
            Path plugins = file.resolveSibling(PLUGINS_DIR);
            return new FlinkDistribution(classpath, javaCommand(),
                    Files.isDirectory(plugins) ? Optional.of(plugins) : Optional.empty());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the Flink classpath file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path classpathFile() {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getProperty(CLASSPATH_PROPERTY)).map(Path::of).ifPresent(candidates::add);
        Optional.ofNullable(System.getenv(CLASSPATH_ENV)).map(Path::of).ifPresent(candidates::add);
        // Running from the module's build output: target/classes or target/sluice-flink-cluster-*.jar.
        codeLocation().map(Path::getParent).map(p -> p.resolve(CLASSPATH_FILE)).ifPresent(candidates::add);
        Path cwd = Path.of("").toAbsolutePath();
        candidates.add(cwd.resolve("target").resolve(CLASSPATH_FILE));
        candidates.add(cwd.resolve("sluice-flink-cluster").resolve("target").resolve(CLASSPATH_FILE));
        if (cwd.getParent() != null) { // the tests of a sibling module
            candidates.add(cwd.getParent().resolve("sluice-flink-cluster").resolve("target").resolve(CLASSPATH_FILE));
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new IllegalStateException(
                "no Flink classpath file (looked at " + candidates + "); build it with"
                        + " 'mvn -pl sluice-flink-cluster -am package' or point -D" + CLASSPATH_PROPERTY + " at it"));
    }

    private static Optional<Path> codeLocation() {
        try {
            var source = FlinkDistribution.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String javaCommand() {
        String home = System.getenv("JAVA_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "java"))) {
            return Path.of(home, "bin", "java").toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }
}
