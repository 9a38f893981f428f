package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.Comparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code compare A B}: the outputs of two deployments side by side, to prove a new version before promoting it. */
@Command(name = "compare", description = "Compare the outputs of two deployments (for example a version and its fork "
        + "over the same input): records, keys, and the keys that differ. Exits 1 when they differ.")
final class CompareCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "A", description = "A deployment.")
    String a;

    @Parameters(index = "1", paramLabel = "B", description = "The deployment to compare it with.")
    String b;

    @Override
    public Integer call() {
        JsonNode result = api().get(namespacePath() + "/compare?a=" + a + "&b=" + b,
                "deployment " + a + " or " + b + " not found in namespace " + namespace());
        Comparison comparison = Typed.read(result, Comparison.class);
        boolean equal = comparison.equal();
        if (!printDocument(result)) {
            Table sides = new Table("DEPLOYMENT", "TOPIC", "RECORDS", "KEYS");
            for (Comparison.Side side : new Comparison.Side[] {comparison.a(), comparison.b()}) {
                if (side != null) {
                    sides.add(side.deployment(), side.topic(), side.records(), side.keys());
                }
            }
            sides.print(out(), "");
            out().println((comparison.upsert() ? "compared current value per key" : "compared records")
                    + ": " + comparison.matching() + " matching, " + comparison.onlyInA() + " only in " + a + ", "
                    + comparison.onlyInB() + " only in " + b + ", " + comparison.different() + " different");
            if (!equal) {
                Table examples = new Table("KEY", a.toUpperCase(java.util.Locale.ROOT), b.toUpperCase(java.util.Locale.ROOT));
                (comparison.examples() == null ? java.util.List.<Comparison.Mismatch>of() : comparison.examples())
                        .forEach(m -> examples.add(m.key(), m.a(), m.b()));
                examples.print(out(), "  ");
            }
            out().println(equal ? "the outputs are equal" : "the outputs differ");
        }
        return equal ? 0 : CliException.FAILED;
    }
}
