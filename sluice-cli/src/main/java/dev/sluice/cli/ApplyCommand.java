package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.ApplyAnswer;
import dev.sluice.model.ObjectMeta;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code apply -f FILE}: create or update a deployment from a pipeline YAML document. */
@Command(name = "apply", description = "Create or update a deployment from a pipeline YAML file.")
final class ApplyCommand extends ClientCommand {
    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true,
            description = "The pipeline YAML file; - reads standard input.")
    String file;

    @Override
    public Integer call() {
        JsonNode result = api().postYaml(namespacePath() + "/deployments", read(file), source(file));
        if (!printDocument(result)) {
            // A file of several documents is applied as a set and answered with one item per document.
            List<ApplyAnswer> answers = result.has("items") ? Typed.items(result, ApplyAnswer.class)
                    : List.of(Typed.read(result, ApplyAnswer.class));
            for (ApplyAnswer one : answers) {
                ObjectMeta meta = one.deployment() == null ? null : one.deployment().metadata();
                String name = meta == null ? namespace() + "/?" : meta.namespace() + "/" + meta.name();
                out().println("deployment " + name + " " + (one.result() == null ? "applied" : one.result().wire())
                        + " (version " + one.version() + ")");
            }
        }
        return 0;
    }

    /** The text of {@code file}, or of standard input for {@code -}. */
    static String read(String file) {
        return "-".equals(file) ? readStdin() : readFile(file);
    }

    /** How errors name {@code file}. */
    static String source(String file) {
        return "-".equals(file) ? "<stdin>" : file;
    }

    private static String readStdin() {
        try {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "cannot read standard input: " + e.getMessage());
        }
    }

    private static String readFile(String file) {
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            throw unreadable(file, "not a valid path");
        }
        if (Files.isDirectory(path)) {
            throw unreadable(file, "is a directory");
        }
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw unreadable(file, "no such file");
        } catch (AccessDeniedException e) {
            throw unreadable(file, "permission denied");
        } catch (CharacterCodingException e) {
            throw unreadable(file, "not UTF-8 text");
        } catch (IOException e) {
            throw unreadable(file, String.valueOf(e.getMessage()));
        }
    }

    private static CliException unreadable(String file, String why) {
        return new CliException(CliException.BAD_INPUT, "cannot read " + file + ": " + why);
    }
}
