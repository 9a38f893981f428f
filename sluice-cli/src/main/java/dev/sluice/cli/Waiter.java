package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/** Polls a resource every 250 ms until a check says it is done; fails with exit code 1 when the time runs out. */
final class Waiter {
    static final Duration INTERVAL = Duration.ofMillis(250);

    /** Decides on one observation: true when done, false to keep waiting; throws a {@link CliException} on failure. */
    interface Check {
        boolean done(JsonNode resource);
    }

    private Waiter() {}

    static JsonNode await(Supplier<JsonNode> poll, Check check, Duration timeout, Function<JsonNode, String> timedOut) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode current = poll.get();
            if (check.done(current)) {
                return current;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CliException(CliException.FAILED, timedOut.apply(current));
            }
            try {
                Thread.sleep(Math.max(1, Math.min(INTERVAL.toMillis(), left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(CliException.FAILED, "interrupted");
            }
        }
    }
}
