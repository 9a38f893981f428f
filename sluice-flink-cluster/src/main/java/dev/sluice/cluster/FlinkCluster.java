package dev.sluice.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A real standalone Flink session cluster on 127.0.0.1: a JobManager and N TaskManagers as separate JVMs, started
 * from the Maven-resolved jars of a Flink distribution, with their config, logs and pid files under one directory.
 * The processes outlive the JVM that started them; any later {@code FlinkCluster.at(sameDir)} controls them.
 * Clients reach the cluster over REST only, at {@link #restUrl()}.
 */
public final class FlinkCluster {

    public static final int DEFAULT_TASKMANAGERS = 1;
    public static final int DEFAULT_SLOTS = 2;
    public static final int DEFAULT_REST_PORT = 8081;

    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /** What {@link #start} did. */
    public enum StartOutcome {
        /** Started a new cluster. */
        STARTED,
        /** Every process of the directory's cluster was already running; nothing changed. */
        ALREADY_RUNNING,
        /** The cluster was partly running; started its missing processes, with its recorded shape. */
        REPAIRED
    }

    private final ClusterDir dir;
    private final Map<String, String> configOverrides;

    private FlinkCluster(ClusterDir dir, Map<String, String> configOverrides) {
        this.dir = dir;
        this.configOverrides = Map.copyOf(configOverrides);
    }

    /** The cluster whose files live in {@code dir} (created on start). */
    public static FlinkCluster at(Path dir) {
        return new FlinkCluster(new ClusterDir(dir), Map.of());
    }

    /** The same cluster with one more Flink option in conf/config.yaml, written at the next fresh start. */
    public FlinkCluster withConfig(String key, String value) {
        Map<String, String> config = new LinkedHashMap<>(configOverrides);
        config.put(key, value);
        return new FlinkCluster(dir, config);
    }

    public Path dir() {
        return dir.root();
    }

    /** The shape of the cluster last started in this directory. */
    public Optional<ClusterShape> shape() {
        return ClusterShape.read(dir.shapeFile());
    }

    /** The REST API's base URL, e.g. {@code http://127.0.0.1:8081/}. */
    public URI restUrl() {
        return restUrl(requireShape().restPort());
    }

    static URI restUrl(int port) {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /**
     * Starts a JobManager and {@code taskManagers} TaskManagers with {@code slots} slots each, the REST API on
     * {@code restPort}, and returns without waiting for them (see {@link #awaitReady}). Idempotent: if this
     * directory's cluster is running, nothing changes; if it is partly running, its missing processes start.
     */
    public synchronized StartOutcome start(int taskManagers, int slots, int restPort)
            throws IOException, InterruptedException {
        ClusterShape requested = new ClusterShape(taskManagers, slots, restPort, freePort());
        return locked(() -> {
            Optional<ClusterShape> current = shape();
            if (current.isPresent() && members(current.get()).anyMatch(this::isAlive)) {
                List<Member> missing = members(current.get()).filter(m -> !isAlive(m)).toList();
                launch(missing);
                return missing.isEmpty() ? StartOutcome.ALREADY_RUNNING : StartOutcome.REPAIRED;
            }
            requireFreePort(restPort, Duration.ZERO);
            dir.create();
            deleteAllPidFiles();
            dir.clearTmp();
            requested.write(dir.shapeFile());
            ClusterConfig.write(dir, requested, configOverrides);
            try {
                launch(members(requested).toList());
            } catch (IOException | RuntimeException e) {
                stopLocked(); // no half-started cluster
                throw e;
            }
            return StartOutcome.STARTED;
        });
    }

    /**
     * Stops every process of this directory: SIGTERM, then SIGKILL for any still alive after 30 s. Returns the
     * members that were running.
     */
    public synchronized List<Member> stop() throws IOException, InterruptedException {
        if (!Files.isDirectory(dir.root())) {
            return List.of();
        }
        return locked(this::stopLocked);
    }

    private List<Member> stopLocked() throws IOException, InterruptedException {
        Map<Member, ProcessHandle> running = new LinkedHashMap<>();
        for (Member member : membersWithPidFiles()) {
            dir.process(member).ifPresent(p -> running.put(member, p));
        }
        running.values().forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle process : running.values()) {
            if (!awaitExit(process, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                process.destroyForcibly();
                awaitExit(process, KILL_WAIT);
            }
        }
        deleteAllPidFiles();
        return List.copyOf(running.keySet());
    }

    /** The processes' liveness and, if the JobManager answers, its REST overview. */
    public ClusterStatus status() {
        Optional<ClusterShape> shape = shape();
        if (shape.isEmpty()) {
            return new ClusterStatus(dir.root(), ClusterStatus.State.STOPPED, shape, List.of(), Optional.empty());
        }
        Optional<ClusterStatus.Overview> overview = isAlive(Member.jobManager())
                ? new RestProbe(restUrl(shape.get().restPort())).overview() : Optional.empty();
        List<ClusterStatus.MemberStatus> members = members(shape.get()).map(m -> new ClusterStatus.MemberStatus(
                m, dir.pid(m), isAlive(m), overview.map(o -> o.taskManagerIds().contains(m.name())).orElse(false)))
                .toList();
        long alive = members.stream().filter(ClusterStatus.MemberStatus::alive).count();
        ClusterStatus.State state = alive == 0 ? ClusterStatus.State.STOPPED
                : alive == members.size() && overview.isPresent() ? ClusterStatus.State.RUNNING
                : ClusterStatus.State.DEGRADED;
        return new ClusterStatus(dir.root(), state, shape, members, overview);
    }

    /**
     * Waits until the REST API answers and every TaskManager of the cluster's shape has registered. Fails early,
     * with the end of its log, if one of the processes exits.
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        ClusterShape shape = requireShape();
        RestProbe rest = new RestProbe(restUrl(shape.restPort()));
        List<Member> members = members(shape).toList();
        List<String> taskManagers =
                members.stream().filter(m -> m.role() == Member.Role.TASKMANAGER).map(Member::name).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Member member : members) {
                if (!isAlive(member)) {
                    throw new IllegalStateException(member + " is not running; see " + dir.logFile(member)
                            + " and " + dir.outFile(member) + LogTail.of(dir.outFile(member), dir.logFile(member)));
                }
            }
            Optional<ClusterStatus.Overview> overview = rest.overview();
            // Both views agree: /taskmanagers lists every one, and /overview (answered from a cache) counts them.
            if (overview.isPresent() && overview.get().taskManagerIds().containsAll(taskManagers)
                    && overview.get().taskManagers() >= taskManagers.size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Flink cluster was not ready within " + timeout.toSeconds() + " s\n"
                        + status().describe());
            }
            Thread.sleep(200);
        }
    }

    /**
     * Indexes of the TaskManagers that run tasks (have a slot in use), as the REST API reports them: the ones whose
     * crash a running job notices.
     */
    public List<Integer> busyTaskManagers() {
        Set<String> busy = new RestProbe(restUrl()).busyTaskManagerIds();
        return members(requireShape()).filter(m -> m.role() == Member.Role.TASKMANAGER && busy.contains(m.name()))
                .map(Member::index).toList();
    }

    /** Kills a TaskManager's JVM with SIGKILL, as a crash would, and waits until it is gone. */
    public void killTaskManager(int index) throws IOException, InterruptedException {
        kill(taskManager(index));
    }

    /** Kills the JobManager's JVM with SIGKILL, as a crash would, and waits until it is gone. */
    public void killJobManager() throws IOException, InterruptedException {
        kill(Member.jobManager());
    }

    /** Starts a TaskManager of the cluster's shape (after a kill, say) unless it runs; returns its pid. */
    public synchronized long startTaskManager(int index) throws IOException, InterruptedException {
        return startMember(taskManager(index));
    }

    /** Starts the JobManager again, with the same REST and RPC ports, unless it runs; returns its pid. */
    public synchronized long startJobManager() throws IOException, InterruptedException {
        return startMember(Member.jobManager());
    }

    /** The pid of a member's running process, if it runs. */
    public OptionalLong pid(Member member) {
        return dir.process(member).map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
    }

    private long startMember(Member member) throws IOException, InterruptedException {
        return locked(() -> {
            Optional<ProcessHandle> running = dir.process(member);
            if (running.isPresent()) {
                return running.get().pid();
            }
            if (member.role() == Member.Role.JOBMANAGER) {
                requireFreePort(requireShape().restPort(), Duration.ofSeconds(10));
            }
            launch(List.of(member));
            return dir.pid(member).orElseThrow();
        });
    }

    private void kill(Member member) throws IOException, InterruptedException {
        locked(() -> {
            ProcessHandle process = dir.process(member)
                    .orElseThrow(() -> new IllegalStateException(member + " is not running in " + dir.root()));
            process.destroyForcibly();
            if (!awaitExit(process, KILL_WAIT)) {
                throw new IllegalStateException(member + " (pid " + process.pid() + ") survived SIGKILL");
            }
            dir.deletePid(member);
            return null;
        });
    }

    private void launch(List<Member> members) throws IOException, InterruptedException {
        if (members.isEmpty()) {
            return;
        }
        FlinkDistribution distribution = FlinkDistribution.locate();
        linkPlugins(distribution);
        ProcessLauncher launcher = new ProcessLauncher(distribution, dir);
        Map<Member.Role, ProcessLauncher.ResourceParams> params = new LinkedHashMap<>();
        for (Member member : members) { // the JobManager first: it takes longest to come up
            if (!params.containsKey(member.role())) {
                params.put(member.role(), launcher.resourceParams(member.role()));
            }
            launcher.launch(member, params.get(member.role()));
        }
    }

    /** Puts the distribution's plugins (the S3 file system) into DIR/plugins, as links, unless already there. */
    private void linkPlugins(FlinkDistribution distribution) throws IOException {
        if (distribution.plugins().isEmpty()) {
            return;
        }
        Files.createDirectories(dir.plugins());
        try (Stream<Path> plugins = Files.list(distribution.plugins().get())) {
            for (Path plugin : plugins.filter(Files::isDirectory).toList()) {
                Path target = dir.plugins().resolve(plugin.getFileName().toString());
                Files.createDirectories(target);
                try (Stream<Path> jars = Files.list(plugin)) {
                    for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).toList()) {
                        Path link = target.resolve(jar.getFileName().toString());
                        if (Files.isSymbolicLink(link) && !Files.exists(link)) {
                            Files.delete(link); // points at a jar that moved
                        }
                        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            Files.createSymbolicLink(link, jar.toAbsolutePath());
                        }
                    }
                }
            }
        }
    }

    private Member taskManager(int index) {
        int count = requireShape().taskManagers();
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("no taskmanager " + index + ": the cluster has " + count
                    + " (0 to " + (count - 1) + ")");
        }
        return Member.taskManager(index);
    }

    private ClusterShape requireShape() {
        return shape().orElseThrow(() -> new IllegalStateException("no Flink cluster was started in " + dir.root()));
    }

    private boolean isAlive(Member member) {
        return dir.process(member).isPresent();
    }

    private static Stream<Member> members(ClusterShape shape) {
        return Stream.concat(Stream.of(Member.jobManager()),
                IntStream.range(0, shape.taskManagers()).mapToObj(Member::taskManager));
    }

    private List<Member> membersWithPidFiles() throws IOException {
        if (!Files.isDirectory(dir.pids())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir.pids())) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".pid"))
                    .map(n -> Member.parse(n.substring(0, n.length() - ".pid".length())))
                    .flatMap(Optional::stream).sorted((a, b) -> a.name().compareTo(b.name())).toList();
        }
    }

    private void deleteAllPidFiles() throws IOException {
        for (Member member : membersWithPidFiles()) {
            dir.deletePid(member);
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) throws InterruptedException {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Fails unless the port can be bound on 127.0.0.1 (within the wait, for a port a killed process just left). */
    private static void requireFreePort(int port, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return;
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use; choose another REST port");
                }
                Thread.sleep(200);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Holds the directory's lock file, so two launchers never start or stop the same cluster at once. */
    private <T> T locked(IoAction<T> action) throws IOException, InterruptedException {
        Files.createDirectories(dir.root());
        try (FileChannel channel = FileChannel.open(dir.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            return action.run();
        }
    }

    @FunctionalInterface
    private interface IoAction<T> {
        T run() throws IOException, InterruptedException;
    }

    /** For error messages: the last lines of a process's output and log. */
    private static final class LogTail {
        static String of(Path... files) {
            StringBuilder out = new StringBuilder();
            for (Path file : files) {
                try {
                    List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
                    if (!lines.isEmpty()) {
                        out.append("\n--- last lines of ").append(file).append(" ---\n")
                                .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
                    }
                } catch (IOException | UncheckedIOException e) {
                    // best effort: the message already names the file
                }
            }
            return out.toString();
        }
    }
}
