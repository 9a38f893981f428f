package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code snapshot NAME}: take a savepoint of a deployment and wait until it completes. */
@Command(name = "snapshot", description = "Take a savepoint of a deployment; waits until it completes and prints its id and location.")
final class SnapshotCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The deployment.")
    String name;

    @Mixin
    WaitOptions wait;

    @Override
    public Integer call() {
        String notFound = deploymentNotFound(name);
        JsonNode snapshot = api().post(deploymentPath(name) + "/snapshots", notFound);
        String id = snapshot.path("id").asText("");
        if (id.isEmpty()) {
            throw new CliException(CliException.FAILED, "the server accepted the snapshot but sent no snapshot id");
        }
        String of = namespace() + "/" + snapshot.path("deployment").asText(name);
        if (!wait.noWait) {
            snapshot = Waiter.await(
                    () -> api().get(deploymentPath(name) + "/snapshots/" + ApiClient.segment(id),
                            "snapshot " + id + " of deployment " + name + " not found in namespace " + namespace()),
                    s -> completed(s, id, of),
                    wait.timeout,
                    s -> "timed out after " + DurationConverter.format(wait.timeout) + " waiting for snapshot " + id + " of "
                            + of + " to complete; state is " + Output.text(s.path("state")));
        }
        if (!printDocument(snapshot)) {
            String state = snapshot.path("state").asText("in-progress");
            out().println("snapshot " + id + " of " + of + " " + state
                    + (snapshot.hasNonNull("location") ? ": " + snapshot.path("location").asText() : ""));
        }
        return 0;
    }

    private static boolean completed(JsonNode snapshot, String id, String of) {
        String state = snapshot.path("state").asText("");
        if ("failed".equals(state)) {
            JsonNode error = snapshot.path("error");
            throw new CliException(CliException.FAILED, "snapshot " + id + " of " + of + " failed"
                    + (error.isTextual() && !error.asText().isBlank() ? ": " + error.asText().strip() : ""));
        }
        return "completed".equals(state);
    }
}
