package dev.sluice.control.lifecycle;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Job ids derived from the deployment's uid and attempt number. Each start is a new attempt, and its id is stored
 * before the job is submitted: after a crash the control plane asks the engine for exactly that job, and adopts it if it
 * runs, instead of starting a second one.
 */
public final class JobIds {
    private JobIds() {}

    public static String of(String deploymentUid, int attempt) {
        UUID id = UUID.nameUUIDFromBytes((deploymentUid + "/" + attempt).getBytes(StandardCharsets.UTF_8));
        return String.format("%016x%016x", id.getMostSignificantBits(), id.getLeastSignificantBits());
    }
}
