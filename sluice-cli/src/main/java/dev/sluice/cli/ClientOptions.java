package dev.sluice.cli;

import picocli.CommandLine.Option;

/** The options every client verb takes: where the server is, which namespace, and how to print. */
final class ClientOptions {
    /** How results are printed. */
    enum Format { TABLE, JSON, YAML }

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:SLUICE_SERVER:-http://127.0.0.1:8080}",
            description = "Sluice server URL (default: $SLUICE_SERVER, else http://127.0.0.1:8080).")
    String server;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default",
            description = "Namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: table, json or yaml (default: table).")
    Format output;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
