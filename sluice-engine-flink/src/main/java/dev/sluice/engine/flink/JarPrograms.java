package dev.sluice.engine.flink;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.engine.PipelineRejectedException;
import dev.sluice.model.JarSpec;
import dev.sluice.model.Json;
import dev.sluice.model.SpecError;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;

/**
 * Jar pipelines: a user's Flink program, run by its entry class. At apply time the program is run once to build its
 * pipeline (Flink intercepts {@code execute()}), which checks the jar, the class and the program; the jar's SHA-256 is
 * stored with the version, so a version keeps meaning the same program.
 */
final class JarPrograms {
    static final String KIND = "jar";

    private JarPrograms() {}

    /** What a jar version runs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record JarPlan(String uri, String entryClass, List<String> args, String sha256) {}

    static CompiledPipeline compile(JarSpec jar, Configuration conf, int parallelism) {
        File file = file(jar.uri());
        String sha256 = sha256(file);
        try {
            PackagedProgramUtils.getPipelineFromProgram(program(jar.uri(), jar.entryClass(), jar.args(), conf), conf,
                    parallelism, true);
        } catch (ProgramInvocationException | RuntimeException e) {
            throw new PipelineRejectedException(List.of(new SpecError(jar.entryClass() == null ? "spec.jar"
                    : "spec.jar.entryClass", 0, 0, "the program did not build a pipeline: " + rootMessage(e))));
        }
        return new CompiledPipeline(KIND, Json.write(new JarPlan(jar.uri(), jar.entryClass(),
                jar.args() == null ? List.of() : jar.args(), sha256)));
    }

    /** The job graph of a stored jar version, under the given job id, restoring what {@code conf} says. */
    static JobGraph jobGraph(CompiledPipeline pipeline, Configuration conf, int parallelism, JobID jobId) {
        JarPlan plan = Json.read(pipeline.plan(), JarPlan.class);
        File file = file(plan.uri());
        if (!sha256(file).equals(plan.sha256())) {
            throw new EngineException("the jar at " + plan.uri() + " changed since this version was applied; apply "
                    + "it again to make a new version");
        }
        try {
            PackagedProgram program = program(plan.uri(), plan.entryClass(), plan.args(), conf);
            return PackagedProgramUtils.createJobGraph(program, conf, parallelism, jobId, true);
        } catch (ProgramInvocationException e) {
            throw new EngineException("the program did not build a pipeline: " + rootMessage(e), e);
        }
    }

    private static PackagedProgram program(String uri, String entryClass, List<String> args, Configuration conf)
            throws ProgramInvocationException {
        return PackagedProgram.newBuilder()
                .setJarFile(file(uri))
                .setEntryPointClassName(entryClass)
                .setArguments(args == null ? new String[0] : args.toArray(String[]::new))
                .setConfiguration(conf)
                .setSavepointRestoreSettings(SavepointRestoreSettings.fromConfiguration(conf))
                .build();
    }

    private static File file(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw rejected("spec.jar.uri", "not a URI: " + uri);
        }
        if (!"file".equals(parsed.getScheme())) {
            throw rejected("spec.jar.uri", "only file:// jars are supported for now, got " + uri);
        }
        File file = new File(parsed);
        if (!file.isFile() || !file.canRead()) {
            throw rejected("spec.jar.uri", "no readable jar at " + file);
        }
        return file;
    }

    private static String sha256(File file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file.toPath()),
                MessageDigest.getInstance("SHA-256"))) {
            DigestInputStream digest = (DigestInputStream) in;
            digest.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw rejected("spec.jar.uri", "cannot read " + file + ": " + e.getMessage());
        }
    }

    private static PipelineRejectedException rejected(String field, String message) {
        return new PipelineRejectedException(List.of(new SpecError(field, 0, 0, message)));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
