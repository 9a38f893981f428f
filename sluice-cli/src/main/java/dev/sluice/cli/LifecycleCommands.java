package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.model.ApplyAnswer;
import dev.sluice.model.Deployment;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Phase;
import java.util.Objects;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The verbs that stop, start, move or remove a deployment: {@code suspend}, {@code resume}, {@code rollback},
 * {@code scale}, {@code cancel}, {@code delete}.
 */
final class LifecycleCommands {
    private LifecycleCommands() {}

    /**
     * Posts an action, then polls until {@code status.phase} reaches one of the wanted phases. A phase of
     * {@code failed} (or another phase where nothing runs) counts only once the status has changed since before the
     * action, so resuming a failed deployment does not fail on the old error.
     */
    abstract static class Transition extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The deployment.")
        String name;

        @Mixin
        WaitOptions wait;

        private final String action;
        private final List<String> donePhases;

        Transition(String action, List<String> donePhases) {
            this.action = action;
            this.donePhases = donePhases;
        }

        @Override
        public Integer call() {
            String notFound = deploymentNotFound(name);
            DeploymentStatus before = status(deployment(api().get(deploymentPath(name), notFound)));
            JsonNode accepted = api().post(deploymentPath(name) + "/" + action + query(), notFound);
            onAccepted(accepted);
            if (wait.noWait) {
                if (!printDocument(accepted)) {
                    out().println("deployment " + qualifiedName(accepted, name) + " " + action + " requested (phase "
                            + Output.text(accepted.path("status").path("phase")) + ")");
                }
                return 0;
            }
            String wanted = String.join(" or ", donePhases);
            boolean[] moved = {false};
            JsonNode done = Waiter.await(
                    () -> api().get(deploymentPath(name), notFound),
                    d -> reached(deployment(d), before, moved),
                    wait.timeout,
                    d -> "timed out after " + DurationConverter.format(wait.timeout) + " waiting for deployment "
                            + qualifiedName(d, name) + " to be " + wanted + "; phase is "
                            + Output.cell(status(deployment(d)).phase()) + errorSuffix(deployment(d)));
            if (!printDocument(done)) {
                DeploymentStatus status = status(deployment(done));
                String phase = Output.cell(status.phase());
                out().println("deployment " + qualifiedName(done, name) + " " + phase
                        + (status.version() != null ? " (version " + status.version()
                                + (status.jobId() != null && status.phase() == Phase.RUNNING
                                        ? ", job " + status.jobId() : "")
                                + ")" : ""));
            }
            return 0;
        }

        /** Query parameters of the action, such as {@code ?toVersion=3}. */
        String query() {
            return "";
        }

        /** What the server answered to the action. */
        void onAccepted(JsonNode accepted) {}

        /** Beyond its phase, whether the deployment is where the action leads (the new version runs, say). */
        boolean arrived(Deployment deployment) {
            return true;
        }

        private boolean reached(Deployment deployment, DeploymentStatus before, boolean[] moved) {
            DeploymentStatus status = status(deployment);
            String phase = status.phase() == null ? "" : status.phase().wire();
            if (donePhases.contains(phase) && arrived(deployment)) {
                return true;
            }
            moved[0] |= !sameStatus(status, before);
            if (moved[0] && status.phase() == Phase.FAILED) {
                throw new CliException(CliException.FAILED, "deployment " + qualified(deployment) + " failed"
                        + errorSuffix(deployment));
            }
            if (moved[0] && status.phase() != null && status.phase().terminal()) {
                throw new CliException(CliException.FAILED, "deployment " + qualified(deployment) + " is "
                        + phase + ", not " + String.join(" or ", donePhases));
            }
            return false;
        }

        private String qualified(Deployment deployment) {
            return deployment.metadata() == null ? namespace() + "/" + name
                    : deployment.metadata().namespace() + "/" + deployment.metadata().name();
        }

        private static boolean sameStatus(DeploymentStatus status, DeploymentStatus before) {
            return status.phase() == before.phase() && Objects.equals(status.error(), before.error())
                    && Objects.equals(status.lastTransitionAt(), before.lastTransitionAt());
        }

        private static String errorSuffix(Deployment deployment) {
            String error = status(deployment).error();
            return error != null && !error.isBlank() ? ": " + error.strip() : "";
        }
    }

    private static Deployment deployment(JsonNode document) {
        return Typed.read(document, Deployment.class);
    }

    /** A deployment's status; an empty one when the server sent none. */
    static DeploymentStatus status(Deployment deployment) {
        return deployment.status() != null ? deployment.status()
                : new DeploymentStatus(null, null, null, null, null, null, null, null, null);
    }

    /** {@code suspend NAME}. */
    @Command(name = "suspend", description = "Suspend a deployment: savepoint and stop its job; waits until suspended.")
    static final class Suspend extends Transition {
        Suspend() {
            super("suspend", List.of("suspended"));
        }
    }

    /** {@code resume NAME}. */
    @Command(name = "resume", description = "Resume a suspended deployment from its state; waits until running.")
    static final class Resume extends Transition {
        Resume() {
            super("resume", List.of("running", "finished"));
        }
    }

    /** {@code rollback NAME [--to-version N]}. */
    @Command(name = "rollback", description = "Return a deployment to an earlier version (by default the last stable "
            + "one), restoring a snapshot that version took; waits until running.")
    static final class Rollback extends Transition {
        @Option(names = "--to-version", paramLabel = "N", description = "The version to return to.")
        Integer toVersion;

        Rollback() {
            super("rollback", List.of("running", "finished"));
        }

        @Override
        String query() {
            return toVersion == null ? "" : "?toVersion=" + toVersion;
        }
    }

    /** {@code scale NAME --parallelism N}. */
    @Command(name = "scale", description = "Run a deployment at another parallelism: a new version, rescaled through "
            + "a savepoint; waits until the new version runs.")
    static final class Scale extends Transition {
        @Option(names = "--parallelism", paramLabel = "N", required = true, description = "The new parallelism.")
        int parallelism;

        private int wantedVersion;
        private boolean running;

        Scale() {
            super("scale", List.of("running", "finished", "suspended"));
        }

        @Override
        String query() {
            return "?parallelism=" + parallelism;
        }

        @Override
        void onAccepted(JsonNode accepted) {
            ApplyAnswer answer = Typed.read(accepted, ApplyAnswer.class);
            wantedVersion = answer.version();
            DesiredState state = answer.deployment() == null || answer.deployment().spec() == null ? null
                    : answer.deployment().spec().state();
            running = state == null || state == DesiredState.RUNNING;
        }

        @Override
        boolean arrived(Deployment deployment) {
            DeploymentStatus status = status(deployment);
            // A suspended deployment keeps its state: the new version runs when it is resumed.
            return !running || Objects.equals(status.version(), wantedVersion) && status.phase() != Phase.SUSPENDED;
        }
    }

    /** {@code cancel NAME}. */
    @Command(name = "cancel", description = "Cancel a deployment's job without a snapshot; waits until cancelled.")
    static final class Cancel extends Transition {
        Cancel() {
            super("cancel", List.of("cancelled"));
        }
    }

    /** {@code delete NAME}. */
    @Command(name = "delete", description = "Delete a deployment.")
    static final class Delete extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The deployment.")
        String name;

        @Override
        public Integer call() {
            JsonNode deleted = api().delete(deploymentPath(name), deploymentNotFound(name));
            if (!printDocument(deleted)) {
                out().println("deployment " + qualifiedName(deleted, name) + " deleted");
            }
            return 0;
        }
    }
}
