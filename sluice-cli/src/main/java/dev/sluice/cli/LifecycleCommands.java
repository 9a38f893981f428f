package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
            JsonNode before = api().get(deploymentPath(name), notFound).path("status");
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
                    d -> reached(d, before, moved),
                    wait.timeout,
                    d -> "timed out after " + DurationConverter.format(wait.timeout) + " waiting for deployment "
                            + qualifiedName(d, name) + " to be " + wanted + "; phase is "
                            + Output.text(d.path("status").path("phase")) + errorSuffix(d));
            if (!printDocument(done)) {
                JsonNode status = done.path("status");
                out().println("deployment " + qualifiedName(done, name) + " " + status.path("phase").asText()
                        + (status.hasNonNull("version") ? " (version " + status.path("version").asText()
                                + (status.hasNonNull("jobId") && "running".equals(status.path("phase").asText())
                                        ? ", job " + status.path("jobId").asText() : "")
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
        boolean arrived(JsonNode deployment) {
            return true;
        }

        private boolean reached(JsonNode deployment, JsonNode before, boolean[] moved) {
            JsonNode status = deployment.path("status");
            String phase = status.path("phase").asText("");
            if (donePhases.contains(phase) && arrived(deployment)) {
                return true;
            }
            moved[0] |= !sameStatus(status, before);
            if (moved[0] && "failed".equals(phase)) {
                throw new CliException(CliException.FAILED, "deployment " + qualifiedName(deployment, name) + " failed"
                        + errorSuffix(deployment));
            }
            if (moved[0] && terminal(phase)) {
                throw new CliException(CliException.FAILED, "deployment " + qualifiedName(deployment, name) + " is "
                        + phase + ", not " + String.join(" or ", donePhases));
            }
            return false;
        }

        private static boolean sameStatus(JsonNode status, JsonNode before) {
            return Objects.equals(status.path("phase").asText(null), before.path("phase").asText(null))
                    && Objects.equals(status.path("error").asText(null), before.path("error").asText(null))
                    && Objects.equals(status.path("lastTransitionAt").asText(null), before.path("lastTransitionAt").asText(null));
        }

        private static boolean terminal(String phase) {
            try {
                return Phase.parse(phase).terminal();
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        private static String errorSuffix(JsonNode deployment) {
            JsonNode error = deployment.path("status").path("error");
            return error.isTextual() && !error.asText().isBlank() ? ": " + error.asText().strip() : "";
        }
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
            wantedVersion = accepted.path("version").asInt();
            running = "running".equals(accepted.path("deployment").path("spec").path("state").asText("running"));
        }

        @Override
        boolean arrived(JsonNode deployment) {
            JsonNode status = deployment.path("status");
            // A suspended deployment keeps its state: the new version runs when it is resumed.
            return !running || status.path("version").asInt() == wantedVersion
                    && !"suspended".equals(status.path("phase").asText());
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
