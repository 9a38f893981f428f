package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.model.Json;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.StringJoiner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code describe deployment NAME}: a deployment's spec and status with its latest snapshots and events. */
@Command(name = "describe", description = "Show a resource in detail.", subcommands = DescribeCommand.Deployment.class)
final class DescribeCommand implements Runnable {
    static final int SNAPSHOTS = 5;
    static final int EVENTS = 10;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public void run() {
        throw SluiceCli.missingSubcommand(spec);
    }

    /** {@code describe deployment NAME}. */
    @Command(name = "deployment", aliases = {"deployments", "deploy"},
            description = "Show a deployment's spec, status, latest " + SNAPSHOTS + " snapshots and latest " + EVENTS + " events.")
    static final class Deployment extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The deployment.")
        String name;

        @Override
        public Integer call() {
            String notFound = deploymentNotFound(name);
            JsonNode deployment = api().get(deploymentPath(name), notFound);
            ArrayNode snapshots = first(api().get(deploymentPath(name) + "/snapshots", notFound), SNAPSHOTS);
            ArrayNode events = first(api().get(deploymentPath(name) + "/events?limit=" + EVENTS, notFound), EVENTS);
            ObjectNode all = Json.MAPPER.createObjectNode();
            all.set("deployment", deployment);
            all.set("snapshots", snapshots);
            all.set("events", events);
            if (!printDocument(all)) {
                print(out(), deployment, snapshots, events);
            }
            return 0;
        }

        private static ArrayNode first(JsonNode list, int n) {
            ArrayNode items = Json.MAPPER.createArrayNode();
            for (Iterator<JsonNode> it = list.path("items").elements(); it.hasNext() && items.size() < n; ) {
                items.add(it.next());
            }
            return items;
        }

        private static void print(PrintWriter out, JsonNode deployment, ArrayNode snapshots, ArrayNode events) {
            JsonNode meta = deployment.path("metadata");
            JsonNode spec = deployment.path("spec");
            JsonNode status = deployment.path("status");
            line(out, "", "Name:", meta.path("name"));
            line(out, "", "Namespace:", meta.path("namespace"));
            line(out, "", "Labels:", pairs(meta.path("labels")));
            line(out, "", "Created:", when(meta.path("createdAt")));
            out.println("Spec:");
            line(out, "  ", "Program:", program(spec));
            line(out, "  ", "Parallelism:", spec.path("parallelism"));
            line(out, "  ", "State:", spec.path("state"));
            line(out, "  ", "Upgrade:", spec.path("upgradeStrategy"));
            line(out, "  ", "Restore:", spec.path("restoreStrategy"));
            line(out, "  ", "Checkpoints:", spec.path("checkpoints").path("interval"));
            line(out, "  ", "Target:", spec.path("target"));
            line(out, "  ", "Flink config:", pairs(spec.path("flinkConfiguration")));
            out.println("Status:");
            line(out, "  ", "Phase:", status.path("phase"));
            line(out, "  ", "Version:", status.path("version"));
            line(out, "  ", "Job ID:", status.path("jobId"));
            line(out, "  ", "Restored from:", status.path("restoredFrom"));
            line(out, "  ", "Error:", status.path("error").isTextual() ? status.path("error").asText() : Output.NONE);
            line(out, "  ", "Restarts:", status.path("restarts"));
            line(out, "  ", "Records in:", status.path("recordsIn"));
            line(out, "  ", "Records out:", status.path("recordsOut"));
            line(out, "  ", "Last change:", when(status.path("lastTransitionAt")));
            out.println("Snapshots (latest " + SNAPSHOTS + "):");
            section(out, Views.snapshots(snapshots));
            out.println("Events (latest " + EVENTS + "):");
            section(out, Views.events(events));
            out.flush();
        }

        private static void line(PrintWriter out, String indent, String label, Object value) {
            String text = value instanceof JsonNode node ? Output.text(node) : String.valueOf(value);
            String pad = " ".repeat(Math.max(1, 17 - indent.length() - label.length()));
            String continuation = System.lineSeparator() + " ".repeat(indent.length() + label.length() + pad.length());
            out.println(indent + label + pad + String.join(continuation, text.strip().split("\\R")));
        }

        private static void section(PrintWriter out, Table table) {
            if (table.isEmpty()) {
                out.println("  " + Output.NONE);
            } else {
                table.print(out, "  ");
            }
        }

        private static String program(JsonNode spec) {
            if (spec.path("sql").isTextual()) {
                long lines = spec.path("sql").asText().strip().lines().count();
                return "SQL script, " + lines + (lines == 1 ? " line" : " lines");
            }
            JsonNode jar = spec.path("jar");
            if (jar.isObject()) {
                return "jar " + Output.text(jar.path("uri"))
                        + (jar.hasNonNull("entryClass") ? " (" + jar.path("entryClass").asText() + ")" : "");
            }
            return Output.NONE;
        }

        private static String pairs(JsonNode map) {
            StringJoiner joined = new StringJoiner(", ");
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                joined.add(e.getKey() + "=" + e.getValue().asText());
            }
            return joined.length() == 0 ? Output.NONE : joined.toString();
        }

        private static String when(JsonNode instant) {
            return instant.isTextual() ? instant.asText() + " (" + Output.age(instant) + " ago)" : Output.NONE;
        }
    }
}
