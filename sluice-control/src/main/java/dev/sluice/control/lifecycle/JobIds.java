package dev.sluice.control.lifecycle;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Job ids derived from the deployment's uid and attempt number. The id is stored before submitting, so a submit
 * retried after a crash names the same job and can never start a second one.
 */
public final class JobIds {
    private JobIds() {}

    public static String of(String deploymentUid, int attempt) {
        UUID id = UUID.nameUUIDFromBytes((deploymentUid + "/" + attempt).getBytes(StandardCharsets.UTF_8));
        return String.format("%016x%016x", id.getMostSignificantBits(), id.getLeastSignificantBits());
    }
}
