package dev.sluice.app;

import dev.sluice.cli.SluiceCli;
import picocli.CommandLine;

/** The {@code sluice} launcher: the client verbs plus {@code up}, which runs the server. */
public final class SluiceMain {
    private SluiceMain() {}

    public static void main(String[] args) {
        CommandLine cli = SluiceCli.commandLine(System.out, System.err);
        cli.addSubcommand("up", new UpCommand());
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(code);
    }
}
