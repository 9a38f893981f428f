package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code diff NAME -f FILE}: what applying a file would change, and what Sluice would do to the running job. */
@Command(name = "diff", description = "Show how a pipeline file differs from a deployment's running version and the "
        + "action applying it would take (none, rescale, stateless-restart, stateful-upgrade). Changes nothing.")
final class DiffCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The deployment.")
    String name;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true,
            description = "The pipeline YAML file; - reads standard input.")
    String file;

    @Override
    public Integer call() {
        JsonNode diff = api().postYaml(deploymentPath(name) + "/diff", ApplyCommand.read(file),
                ApplyCommand.source(file));
        if (printDocument(diff)) {
            return 0;
        }
        out().println("deployment " + namespace() + "/" + name + ", against version "
                + Output.text(diff.path("againstVersion")) + ":");
        Table table = new Table("FIELD", "CHANGE", "FROM", "TO");
        for (JsonNode change : diff.path("changes")) {
            table.add(change.path("field"), change.path("type"), brief(change.path("from")), brief(change.path("to")));
        }
        if (table.isEmpty()) {
            out().println("  no changes");
        } else {
            table.print(out(), "  ");
        }
        out().println("action: " + Output.text(diff.path("action")));
        JsonNode check = diff.path("stateCheck");
        if (check.isObject()) {
            out().println("state check against " + Output.text(check.path("snapshot")) + ": "
                    + (check.path("restorable").asBoolean() ? "restores fully" : "would NOT restore fully"));
            check.path("dropped").forEach(op -> out().println("  state dropped: " + op.asText()));
            check.path("problems").forEach(p -> out().println("  problem: " + p.asText()));
        }
        return 0;
    }

    /** A value on one line: multi-line SQL shows as its line count. */
    private static String brief(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return Output.NONE;
        }
        String text = value.isTextual() ? value.asText() : value.toString();
        long lines = text.lines().count();
        return lines > 1 ? "<" + lines + " lines>" : text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
