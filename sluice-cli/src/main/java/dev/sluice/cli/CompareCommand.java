package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
        boolean equal = result.path("equal").asBoolean();
        if (!printDocument(result)) {
            Table sides = new Table("DEPLOYMENT", "TOPIC", "RECORDS", "KEYS");
            for (String side : new String[] {"a", "b"}) {
                JsonNode s = result.path(side);
                sides.add(s.path("deployment"), s.path("topic"), s.path("records"), s.path("keys"));
            }
            sides.print(out(), "");
            out().println((result.path("upsert").asBoolean() ? "compared current value per key" : "compared records")
                    + ": " + result.path("matching").asLong() + " matching, " + result.path("onlyInA").asLong()
                    + " only in " + a + ", " + result.path("onlyInB").asLong() + " only in " + b + ", "
                    + result.path("different").asLong() + " different");
            if (!equal) {
                Table examples = new Table("KEY", a.toUpperCase(java.util.Locale.ROOT), b.toUpperCase(java.util.Locale.ROOT));
                result.path("examples").forEach(m -> examples.add(m.path("key"), m.path("a"), m.path("b")));
                examples.print(out(), "  ");
            }
            out().println(equal ? "the outputs are equal" : "the outputs differ");
        }
        return equal ? 0 : CliException.FAILED;
    }
}
