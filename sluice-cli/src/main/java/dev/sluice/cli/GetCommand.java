package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.Deployment;
import dev.sluice.model.DeploymentVersion;
import dev.sluice.model.Event;
import dev.sluice.model.Snapshot;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code get deployments|versions|snapshots|events [NAME]}: list resources of a namespace or of one deployment. */
@Command(name = "get", description = "List deployments, versions, snapshots or events.",
        subcommands = {GetCommand.Deployments.class, GetCommand.Versions.class, GetCommand.Snapshots.class,
            GetCommand.Events.class})
final class GetCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public void run() {
        throw SluiceCli.missingSubcommand(spec);
    }

    /** {@code get deployments [NAME]}. */
    @Command(name = "deployments", aliases = {"deployment", "deploy"},
            description = "List the deployments of a namespace, or show one.")
    static final class Deployments extends ClientCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Show only this deployment.")
        String name;

        @Override
        public Integer call() {
            if (name == null) {
                return printList(api().get(namespacePath() + "/deployments", null), Deployment.class, Views::deployments,
                        "No deployments found in namespace " + namespace() + ".");
            }
            JsonNode deployment = api().get(deploymentPath(name), deploymentNotFound(name));
            if (!printDocument(deployment)) {
                Views.deployments(List.of(Typed.read(deployment, Deployment.class))).print(out(), "");
            }
            return 0;
        }
    }

    /** {@code get versions NAME}. */
    @Command(name = "versions", aliases = "version", description = "List the versions of a deployment.")
    static final class Versions extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The deployment.")
        String name;

        @Override
        public Integer call() {
            return printList(api().get(deploymentPath(name) + "/versions", deploymentNotFound(name)), DeploymentVersion.class,
                    Views::versions,
                    "No versions found for deployment " + name + " in namespace " + namespace() + ".");
        }
    }

    /** {@code get snapshots [NAME]}. */
    @Command(name = "snapshots", aliases = "snapshot",
            description = "List snapshots (newest first) of a namespace, or of one deployment.")
    static final class Snapshots extends ClientCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Only this deployment's snapshots.")
        String name;

        @Override
        public Integer call() {
            JsonNode list = name == null
                    ? api().get(namespacePath() + "/snapshots", null)
                    : api().get(deploymentPath(name) + "/snapshots", deploymentNotFound(name));
            return printList(list, Snapshot.class, Views::snapshots, "No snapshots found in namespace " + namespace()
                    + (name == null ? "." : " for deployment " + name + "."));
        }
    }

    /** {@code get events [NAME] [--limit N]}. */
    @Command(name = "events", aliases = "event", description = "List events (newest first) of a namespace, or of one deployment.")
    static final class Events extends ClientCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Only this deployment's events.")
        String name;

        @Option(names = "--limit", paramLabel = "N", description = "At most N events.")
        Integer limit;

        @Override
        public Integer call() {
            if (limit != null && limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
            }
            String query = limit == null ? "" : "?limit=" + limit;
            JsonNode list = name == null
                    ? api().get(namespacePath() + "/events" + query, null)
                    : api().get(deploymentPath(name) + "/events" + query, deploymentNotFound(name));
            return printList(list, Event.class, Views::events, "No events found in namespace " + namespace()
                    + (name == null ? "." : " for deployment " + name + "."));
        }
    }
}
