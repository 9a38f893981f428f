package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.ApplyAnswer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code fork NAME --as NEW [--snapshot ID] [-f FILE]}: a second deployment started from a snapshot of the first. */
@Command(name = "fork", description = "Start a second deployment from a snapshot of this one (by default its newest "
        + "state), with the same spec or the one in FILE: side-by-side versions, A/B tests, reprocessing.")
final class ForkCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The deployment to fork.")
    String name;

    @Option(names = "--as", paramLabel = "NEW", required = true, description = "The new deployment's name.")
    String as;

    @Option(names = "--snapshot", paramLabel = "ID", description = "The snapshot to start from (default: newest state).")
    String snapshot;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "The new deployment's pipeline file (its metadata.name must be NEW); default: NAME's spec.")
    String file;

    @Override
    public Integer call() {
        String query = "?as=" + URLEncoder.encode(as, StandardCharsets.UTF_8)
                + (snapshot == null ? "" : "&snapshot=" + URLEncoder.encode(snapshot, StandardCharsets.UTF_8));
        String yaml = file == null ? "" : ApplyCommand.read(file);
        JsonNode result = api().postYaml(deploymentPath(name) + "/fork" + query, yaml,
                file == null ? "<" + name + ">" : ApplyCommand.source(file));
        if (!printDocument(result)) {
            out().println("deployment " + namespace() + "/" + as + " forked from " + namespace() + "/" + name
                    + " (version " + Typed.read(result, ApplyAnswer.class).version() + ")");
        }
        return 0;
    }
}
