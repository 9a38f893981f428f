package dev.sluice.app;

import dev.sluice.cli.SluiceCli;
import picocli.CommandLine;

/** The {@code sluice up} entry point: the server's class path, with the client verbs beside {@code up}. */
public final class SluiceMain {
    private SluiceMain() {}

    public static void main(String[] args) {
        CommandLine cli = SluiceCli.withUp(SluiceCli.commandLine(System.out, System.err, args), new UpCommand());
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(code);
    }
}
