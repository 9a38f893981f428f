package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.Snapshot;
import dev.sluice.model.SnapshotState;
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
        Snapshot accepted = Typed.read(snapshot, Snapshot.class);
        String id = accepted.id() == null ? "" : accepted.id();
        if (id.isEmpty()) {
            throw new CliException(CliException.FAILED, "the server accepted the snapshot but sent no snapshot id");
        }
        String of = namespace() + "/" + (accepted.deployment() == null ? name : accepted.deployment());
        if (!wait.noWait) {
            snapshot = Waiter.await(
                    () -> api().get(deploymentPath(name) + "/snapshots/" + ApiClient.segment(id),
                            "snapshot " + id + " of deployment " + name + " not found in namespace " + namespace()),
                    s -> completed(Typed.read(s, Snapshot.class), id, of),
                    wait.timeout,
                    s -> "timed out after " + DurationConverter.format(wait.timeout) + " waiting for snapshot " + id + " of "
                            + of + " to complete; state is " + Output.cell(Typed.read(s, Snapshot.class).state()));
        }
        if (!printDocument(snapshot)) {
            Snapshot taken = Typed.read(snapshot, Snapshot.class);
            String state = taken.state() == null ? "in-progress" : taken.state().wire();
            out().println("snapshot " + id + " of " + of + " " + state
                    + (taken.location() != null ? ": " + taken.location() : ""));
        }
        return 0;
    }

    private static boolean completed(Snapshot snapshot, String id, String of) {
        if (snapshot.state() == SnapshotState.FAILED) {
            String error = snapshot.error();
            throw new CliException(CliException.FAILED, "snapshot " + id + " of " + of + " failed"
                    + (error != null && !error.isBlank() ? ": " + error.strip() : ""));
        }
        return snapshot.state() == SnapshotState.COMPLETED;
    }
}
