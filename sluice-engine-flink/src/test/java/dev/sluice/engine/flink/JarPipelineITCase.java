package dev.sluice.engine.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.engine.PipelineRejectedException;
import dev.sluice.control.lifecycle.JobIds;
import dev.sluice.engine.flink.testjob.CountingJob;
import dev.sluice.model.JarSpec;
import dev.sluice.model.PipelineSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jar pipelines on a real MiniCluster: validated at compile time, submitted with their jar, savepointed, restored. */
public class JarPipelineITCase {
    @TempDir
    static Path dir;
    static EmbeddedFlink flink;
    static FlinkEngine engine;
    static Path jar;

    @BeforeAll
    static void start() throws IOException {
        flink = EmbeddedFlink.start(dir.resolve("work"), 4);
        engine = flink.engine();
        jar = packageTestJob(dir.resolve("counting.jar"));
    }

    @AfterAll
    static void stop() {
        engine.close();
        flink.close();
    }

    /** A jar holding the test job's classes, as a user would build one. */
    public static Path packageTestJob(Path target) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target))) {
            for (String name : List.of("CountingJob", "CountingJob$Count")) {
                String entry = CountingJob.class.getPackageName().replace('.', '/') + "/" + name + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = CountingJob.class.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
        return target;
    }

    static PipelineSpec jarSpec(String uri, String entryClass) {
        return new PipelineSpec(null, new JarSpec(uri, entryClass, List.of("counting")), 2, null, null, null, null,
                null, null, null, null, null);
    }

    @Test
    void aJarPipelineRunsSavepointsAndRestores() {
        CompiledPipeline plan = engine.compile(jarSpec(jar.toUri().toString(), CountingJob.class.getName()));
        assertThat(plan.kind()).isEqualTo("jar");
        assertThat(plan.plan()).contains("sha256");
        String checkpoints = dir.resolve("checkpoints").toUri().toString();
        String first = JobIds.of("jar-test", 1);
        engine.submit(submission(first, plan, checkpoints, null));
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.observe(first).state() == JobState.RUNNING);
        // DataStream operators are named as Flink names them ("Source: ...", "Sink: Writer"): counted alike.
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.observe(first),
                o -> o.recordsIn() != null && o.recordsIn() > 0 && o.recordsOut() != null && o.recordsOut() > 0);
        String savepoint = engine.stopWithSavepoint(first, dir.resolve("sp").toUri().toString());

        assertThat(engine.checkRestore(plan, 2, Map.of(), savepoint).clean()).isTrue();
        String second = JobIds.of("jar-test", 2);
        engine.submit(submission(second, plan, checkpoints, savepoint));
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.observe(second).state() == JobState.RUNNING);
        engine.cancel(second);
    }

    @Test
    void badJarsAreRefusedNamingTheField() {
        PipelineRejectedException missing = catchThrowableOfType(PipelineRejectedException.class,
                () -> engine.compile(jarSpec(dir.resolve("nope.jar").toUri().toString(), "x.Y")));
        assertThat(missing.errors().get(0).field()).isEqualTo("spec.jar.uri");
        assertThat(missing.errors().get(0).message()).contains("no readable jar");

        PipelineRejectedException http = catchThrowableOfType(PipelineRejectedException.class,
                () -> engine.compile(jarSpec("https://example.invalid/app.jar", "x.Y")));
        assertThat(http.errors().get(0).message()).contains("only file://");

        PipelineRejectedException noClass = catchThrowableOfType(PipelineRejectedException.class,
                () -> engine.compile(jarSpec(jar.toUri().toString(), "com.acme.Missing")));
        assertThat(noClass.errors().get(0).field()).isEqualTo("spec.jar.entryClass");
        assertThat(noClass.errors().get(0).message()).contains("com.acme.Missing");
    }

    private static JobSubmission submission(String id, CompiledPipeline plan, String checkpoints, String restore) {
        return new JobSubmission(id, "jar test", plan, 2, Duration.ofMillis(500), checkpoints, restore, false, Map.of());
    }
}
