package dev.sluice.app;

import dev.sluice.cli.SluiceCli;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The {@code sluice up} entry point: the server's class path, with the client verbs beside {@code up}. */
public final class SluiceMain {
    private SluiceMain() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("up")) {
            // Logging takes a few hundred milliseconds to set itself up (its configuration, its plugins); it does so
            // on a thread of its own while the command line is read, instead of when the server first logs.
            Thread logging = new Thread(() -> LoggerFactory.getLogger(SluiceMain.class), "sluice-logging-start");
            logging.setDaemon(true);
            logging.start();
        }
        CommandLine cli = commandLine(args);
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(code);
    }

    /** The command line of this entry point: the client verbs and {@code up}. */
    static CommandLine commandLine(String[] args) {
        return SluiceCli.withUp(SluiceCli.commandLine(System.out, System.err, args), new UpCommand());
    }
}
