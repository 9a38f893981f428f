package dev.sluice.cli;

import java.util.List;

/** A failed command: the exit code to return and the error lines to print (each printed as {@code error: LINE}). */
final class CliException extends RuntimeException {
    /** The operation failed: server error, conflict, not found, timeout, server unreachable. */
    static final int FAILED = 1;
    /** Bad input; nothing changed. */
    static final int BAD_INPUT = 2;

    private final int exitCode;
    private final List<String> lines;

    CliException(int exitCode, List<String> lines) {
        super(String.join("; ", lines));
        this.exitCode = exitCode;
        this.lines = List.copyOf(lines);
    }

    CliException(int exitCode, String line) {
        this(exitCode, List.of(line));
    }

    int exitCode() {
        return exitCode;
    }

    List<String> lines() {
        return lines;
    }
}
