package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code sluice} command line: builds the command tree and runs it, turning every outcome into an exit code. */
public final class SluiceCli {
    private SluiceCli() {}

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line and returns its exit code: 0 done, 1 the operation failed, 2 bad input. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(out, err);
        try {
            return cli.execute(args);
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    /** The command tree printing to {@link System#out} and {@link System#err}. */
    public static CommandLine commandLine() {
        return commandLine(System.out, System.err);
    }

    /**
     * The command tree with every client verb; add more with {@code addSubcommand} and run it with {@code execute}.
     * Every command that runs, added ones included, prints to {@code out} and {@code err}. Usage errors print {@code error: ...} to {@code err} and exit 2; a {@link CliException} prints its lines and
     * exits with its code; any other exception exits 1.
     */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine cli = new CommandLine(new Root());
        cli.setOut(outWriter);
        cli.setErr(errWriter);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionStrategy(parseResult -> {
            // Subcommands added after this method returned (such as `up`) print to the same streams.
            for (CommandLine command : parseResult.asCommandLineList()) {
                command.setOut(outWriter);
                command.setErr(errWriter);
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setParameterExceptionHandler((ex, args) -> {
            errWriter.println("error: " + ex.getMessage());
            UnmatchedArgumentException.printSuggestions(ex, errWriter);
            errWriter.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            errWriter.flush();
            return CliException.BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof CliException failure) {
                failure.lines().forEach(line -> errWriter.println("error: " + line));
                errWriter.flush();
                return failure.exitCode();
            }
            errWriter.println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            errWriter.flush();
            return CliException.FAILED;
        });
        return cli;
    }

    /** The usage error of a command group run without one of its subcommands. */
    static ParameterException missingSubcommand(CommandSpec spec) {
        String choices = spec.subcommands().values().stream()
                .map(CommandLine::getCommandName).distinct().collect(Collectors.joining(", "));
        return new ParameterException(spec.commandLine(), "missing subcommand; one of: " + choices);
    }

    @Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Runs and manages stateful streaming pipelines on Apache Flink.",
            subcommands = {
                ApplyCommand.class, GetCommand.class, DescribeCommand.class,
                LifecycleCommands.Suspend.class, LifecycleCommands.Resume.class, LifecycleCommands.Cancel.class,
                LifecycleCommands.Rollback.class, LifecycleCommands.Scale.class, LifecycleCommands.Delete.class, SnapshotCommand.class,
                DiffCommand.class, ForkCommand.class, CompareCommand.class, TailCommand.class})
    static final class Root implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw missingSubcommand(spec);
        }
    }

    /** The version from the jar's Maven metadata. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = SluiceCli.class.getResourceAsStream("/META-INF/maven/dev.sluice/sluice-cli/pom.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            return new String[] {"sluice " + properties.getProperty("version", "(development build)")};
        }
    }
}
