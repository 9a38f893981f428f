package dev.sluice.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts JobManager and TaskManager JVMs the way Flink's bin/jobmanager.sh and bin/taskmanager.sh do: memory
 * options from BashJavaUtils, Flink's Java 17 module options, log4j writing DIR/log/&lt;member&gt;.log. The
 * processes run in their own session (setsid), so they outlive the launching JVM and a Ctrl-C in its terminal.
 */
final class ProcessLauncher {

    /** Flink's env.java.opts.all default for Java 17 (the distribution's conf/config.yaml). */
    static final List<String> JAVA_17_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    /** JVM options (heap, direct, metaspace) and the -D dynamic properties matching them, for one role. */
    record ResourceParams(List<String> jvmOptions, List<String> dynamicProperties) {}

    private final FlinkDistribution distribution;
    private final ClusterDir dir;

    ProcessLauncher(FlinkDistribution distribution, ClusterDir dir) {
        this.distribution = distribution;
        this.dir = dir;
    }

    /** Asks Flink itself how to size a role's JVM from conf/config.yaml, as its shell scripts do. */
    ResourceParams resourceParams(Member.Role role) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(distribution.java(), "-cp", distribution.classpath(),
                "org.apache.flink.runtime.util.bash.BashJavaUtils", role.resourceParamsCommand,
                "--configDir", dir.conf().toString())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("BashJavaUtils " + role.resourceParamsCommand + " failed:\n" + output);
        }
        List<String> results = output.lines().filter(l -> l.startsWith(RESULT_PREFIX))
                .map(l -> l.substring(RESULT_PREFIX.length()).trim()).toList();
        if (results.size() != 2) {
            throw new IOException("BashJavaUtils " + role.resourceParamsCommand
                    + " printed " + results.size() + " result lines, expected 2:\n" + output);
        }
        return new ResourceParams(words(results.get(0)), words(results.get(1)));
    }

    /** Starts a member's JVM and records its pid; returns the pid. */
    long launch(Member member, ResourceParams params) throws IOException {
        List<String> command = new ArrayList<>();
        setsid().ifPresent(command::add);
        command.add(distribution.java());
        command.addAll(JAVA_17_OPTIONS);
        command.add("-XX:+UseG1GC");
        command.addAll(params.jvmOptions());
        Path log4j = dir.conf().resolve("log4j.properties");
        command.add("-Dlog.file=" + dir.logFile(member));
        command.add("-Dlog4j.configuration=file:" + log4j);
        command.add("-Dlog4j.configurationFile=file:" + log4j);
        command.add("-Djava.io.tmpdir=" + dir.tmp());
        command.add("-classpath");
        command.add(distribution.classpath());
        command.add(member.role().mainClass);
        command.add("--configDir");
        command.add(dir.conf().toString());
        command.addAll(params.dynamicProperties());
        if (member.role() == Member.Role.TASKMANAGER) {
            // A stable id: the REST API and the logs say which TaskManager is which, across restarts too.
            command.add("-D");
            command.add("taskmanager.resource-id=" + member.name());
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.root().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.outFile(member).toFile()));
        builder.environment().put("FLINK_CONF_DIR", dir.conf().toString());
        builder.environment().put("FLINK_LOG_DIR", dir.log().toString());
        builder.environment().put("FLINK_PLUGINS_DIR", dir.plugins().toString());
        long pid = builder.start().pid(); // setsid execs java in the same process: this is the JVM's pid
        dir.writePid(member, pid);
        return pid;
    }

    private static Optional<String> setsid() {
        return Stream.of("/usr/bin/setsid", "/bin/setsid")
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }

    private static List<String> words(String line) {
        return line.isBlank() ? List.of() : Arrays.asList(line.trim().split("\\s+"));
    }
}
