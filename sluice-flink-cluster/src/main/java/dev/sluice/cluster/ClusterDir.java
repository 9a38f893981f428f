package dev.sluice.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The layout of a cluster directory (conf/, log/, pid/, tmp/, plugins/) and its pid files. A pid file only counts
 * while its process is alive and still is the Flink process this directory started, so a recycled pid is never
 * mistaken for, or killed as, a cluster process.
 */
record ClusterDir(Path root) {

    ClusterDir {
        root = canonical(root.toAbsolutePath().normalize());
    }

    /** Symlinks resolved, existing or not yet: every spelling of a directory names the same processes. */
    private static Path canonical(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? path : existing.toRealPath().resolve(existing.relativize(path));
        } catch (IOException e) {
            return path;
        }
    }

    Path conf() {
        return root.resolve("conf");
    }

    Path log() {
        return root.resolve("log");
    }

    Path pids() {
        return root.resolve("pid");
    }

    Path tmp() {
        return root.resolve("tmp");
    }

    Path plugins() {
        return root.resolve("plugins");
    }

    Path shapeFile() {
        return root.resolve("cluster.properties");
    }

    Path lockFile() {
        return root.resolve(".lock");
    }

    Path pidFile(Member member) {
        return pids().resolve(member.name() + ".pid");
    }

    Path logFile(Member member) {
        return log().resolve(member.name() + ".log");
    }

    /** Standard output and error of the JVM: what happens before logging starts, and JVM crashes. */
    Path outFile(Member member) {
        return log().resolve(member.name() + ".out");
    }

    void create() throws IOException {
        for (Path p : new Path[] {conf(), log(), pids(), tmp(), plugins()}) {
            Files.createDirectories(p);
        }
    }

    /** Empties tmp/: a killed process leaves its blobs and unpacked jars there. Only while nothing runs. */
    void clearTmp() throws IOException {
        if (!Files.isDirectory(tmp())) {
            return;
        }
        try (Stream<Path> walk = Files.walk(tmp())) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(tmp())).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    OptionalLong pid(Member member) {
        Path file = pidFile(member);
        try {
            return Files.isRegularFile(file)
                    ? OptionalLong.of(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()))
                    : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    void writePid(Member member, long pid) throws IOException {
        Files.writeString(pidFile(member), pid + "\n", StandardCharsets.US_ASCII);
    }

    void deletePid(Member member) throws IOException {
        Files.deleteIfExists(pidFile(member));
    }

    /** The live process behind a member's pid file, if it is one this directory started. */
    Optional<ProcessHandle> process(Member member) {
        OptionalLong pid = pid(member);
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive).filter(p -> isOurs(p, member));
    }

    private boolean isOurs(ProcessHandle process, Member member) {
        Optional<String[]> args = process.info().arguments();
        if (args.isEmpty()) {
            return true; // the OS does not tell; the pid file is all we have
        }
        var list = Arrays.asList(args.get());
        return list.contains(member.role().mainClass) && list.contains(conf().toString());
    }
}
