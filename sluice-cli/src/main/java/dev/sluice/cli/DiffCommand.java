package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.DiffAnswer;
import dev.sluice.model.SpecDiff;
import java.util.List;
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
        DiffAnswer answer = Typed.read(diff, DiffAnswer.class);
        out().println("deployment " + namespace() + "/" + name + ", against version " + answer.againstVersion() + ":");
        Table table = new Table("FIELD", "CHANGE", "FROM", "TO");
        for (SpecDiff.Change change : answer.changes() == null ? List.<SpecDiff.Change>of() : answer.changes()) {
            table.add(change.field(), Output.cell(change.type()), brief(change.from()), brief(change.to()));
        }
        if (table.isEmpty()) {
            out().println("  no changes");
        } else {
            table.print(out(), "  ");
        }
        out().println("action: " + Output.cell(answer.action()));
        DiffAnswer.StateCheck check = answer.stateCheck();
        if (check != null) {
            out().println("state check against " + Output.cell(check.snapshot()) + ": "
                    + (check.restorable() ? "restores fully" : "would NOT restore fully"));
            (check.dropped() == null ? List.<String>of() : check.dropped())
                    .forEach(op -> out().println("  state dropped: " + op));
            (check.problems() == null ? List.<String>of() : check.problems())
                    .forEach(problem -> out().println("  problem: " + problem));
        }
        return 0;
    }

    /** A value on one line: multi-line SQL shows as its line count. */
    private static String brief(Object value) {
        if (value == null) {
            return Output.NONE;
        }
        String text = value instanceof String string ? string : dev.sluice.model.Json.write(value);
        long lines = text.lines().count();
        return lines > 1 ? "<" + lines + " lines>" : text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
