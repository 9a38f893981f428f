package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.Event;
import dev.sluice.model.JarSpec;
import dev.sluice.model.ObjectMeta;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

        private static void print(PrintWriter out, JsonNode document, ArrayNode snapshotList, ArrayNode eventList) {
            dev.sluice.model.Deployment deployment = Typed.read(document, dev.sluice.model.Deployment.class);
            List<Snapshot> snapshots = new ArrayList<>();
            snapshotList.forEach(s -> snapshots.add(Typed.read(s, Snapshot.class)));
            List<Event> events = new ArrayList<>();
            eventList.forEach(e -> events.add(Typed.read(e, Event.class)));
            ObjectMeta meta = deployment.metadata();
            PipelineSpec spec = deployment.spec() == null ? PipelineSpec.ofSql(null) : deployment.spec();
            DeploymentStatus status = deployment.status() == null
                    ? new DeploymentStatus(null, null, null, null, null, null, null, null, null) : deployment.status();
            line(out, "", "Name:", meta.name());
            line(out, "", "Namespace:", meta.namespace());
            line(out, "", "Labels:", pairs(meta.labels()));
            line(out, "", "Created:", when(meta.createdAt()));
            out.println("Spec:");
            line(out, "  ", "Program:", program(spec));
            line(out, "  ", "Parallelism:", spec.parallelism());
            line(out, "  ", "State:", Output.cell(spec.state()));
            line(out, "  ", "Upgrade:", Output.cell(spec.upgradeStrategy()));
            line(out, "  ", "Restore:", Output.cell(spec.restoreStrategy()));
            line(out, "  ", "Checkpoints:", spec.checkpoints() == null ? null : spec.checkpoints().interval());
            line(out, "  ", "Target:", spec.target());
            line(out, "  ", "Flink config:", pairs(spec.flinkConfiguration()));
            out.println("Status:");
            line(out, "  ", "Phase:", Output.cell(status.phase()));
            line(out, "  ", "Version:", status.version());
            line(out, "  ", "Job ID:", status.jobId());
            line(out, "  ", "Restored from:", status.restoredFrom());
            line(out, "  ", "Error:", status.error());
            line(out, "  ", "Restarts:", status.restarts());
            line(out, "  ", "Records in:", status.recordsIn());
            line(out, "  ", "Records out:", status.recordsOut());
            line(out, "  ", "Last change:", when(status.lastTransitionAt()));
            out.println("Snapshots (latest " + SNAPSHOTS + "):");
            section(out, Views.snapshots(snapshots));
            out.println("Events (latest " + EVENTS + "):");
            section(out, Views.events(events));
            out.flush();
        }

        private static void line(PrintWriter out, String indent, String label, Object value) {
            String text = value == null || value.toString().isBlank() ? Output.NONE : value.toString();
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

        private static String program(PipelineSpec spec) {
            if (spec.sql() != null) {
                long lines = spec.sql().strip().lines().count();
                return "SQL script, " + lines + (lines == 1 ? " line" : " lines");
            }
            JarSpec jar = spec.jar();
            if (jar != null) {
                return "jar " + Output.cell(jar.uri()) + (jar.entryClass() != null ? " (" + jar.entryClass() + ")" : "");
            }
            return Output.NONE;
        }

        private static String pairs(Map<String, String> map) {
            if (map == null || map.isEmpty()) {
                return Output.NONE;
            }
            StringJoiner joined = new StringJoiner(", ");
            map.forEach((k, v) -> joined.add(k + "=" + v));
            return joined.toString();
        }

        private static String when(Instant instant) {
            return instant == null ? Output.NONE : instant + " (" + Output.age(instant) + " ago)";
        }
    }
}
