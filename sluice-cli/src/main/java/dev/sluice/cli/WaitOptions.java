package dev.sluice.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --timeout} and {@code --no-wait}, shared by every verb that waits for the server to finish. */
final class WaitOptions {
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "120s", converter = DurationConverter.class,
            description = "How long to wait, such as 90s or 5m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--no-wait", description = "Return once the server accepted the request.")
    boolean noWait;
}
