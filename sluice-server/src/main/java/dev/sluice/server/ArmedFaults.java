package dev.sluice.server;

import dev.sluice.control.lifecycle.FaultPoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash testing: with {@code -Dsluice.faultInjection=true}, the server dies on the spot (as with {@code kill -9}: no
 * shutdown hooks, nothing flushed) at the labelled step written in {@code <data-dir>/fault-point}. Off by default.
 */
final class ArmedFaults implements FaultPoints {
    private static final Logger LOG = LoggerFactory.getLogger(ArmedFaults.class);
    private final Path file;

    private ArmedFaults(Path file) {
        this.file = file;
    }

    static FaultPoints forDataDirectory(Path data) {
        return Boolean.getBoolean("sluice.faultInjection") ? new ArmedFaults(data.resolve("fault-point")) : NONE;
    }

    @Override
    public void reached(String label) {
        try {
            if (Files.exists(file) && Files.readString(file).strip().equals(label)) {
                LOG.error("fault point {} reached: halting", label);
                Runtime.getRuntime().halt(137);
            }
        } catch (IOException e) {
            LOG.warn("cannot read {}", file, e);
        }
    }
}
