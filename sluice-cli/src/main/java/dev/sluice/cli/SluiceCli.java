package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code sluice} command line: builds the command tree and runs it, turning every outcome into an exit code. */
public final class SluiceCli {
    /** The client verbs, in the order the help lists them. */
    private static final List<Class<?>> VERBS = List.of(
            ApplyCommand.class, GetCommand.class, DescribeCommand.class,
            LifecycleCommands.Suspend.class, LifecycleCommands.Resume.class, LifecycleCommands.Cancel.class,
            LifecycleCommands.Rollback.class, LifecycleCommands.Scale.class, LifecycleCommands.Delete.class,
            SnapshotCommand.class, DiffCommand.class, ForkCommand.class, CompareCommand.class, TailCommand.class);

    private SluiceCli() {}

    /** What {@code sluice up} does, for the help of both launchers. */
    public static final String UP_DESCRIPTION = "Run Sluice: the API on 127.0.0.1 with the embedded Flink, Kafka and H2 "
            + "(or what --config names).";

    /**
     * The client's own entry point: every verb but {@code up}, on a class path without Flink, Kafka or the server, so
     * that it starts in a fraction of a second. {@code bin/sluice} sends {@code up} to the server's entry point.
     */
    public static void main(String[] args) {
        CommandLine cli = withUp(commandLine(System.out, System.err, args), new UpElsewhere());
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(code);
    }

    /** Adds {@code up} to a command tree and lists it first in the help: it is what a new user runs first. */
    public static CommandLine withUp(CommandLine cli, Object up) {
        cli.addSubcommand("up", up);
        cli.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> {
            Map<String, CommandLine.Help> ordered = new LinkedHashMap<>();
            ordered.put("up", help.subcommands().get("up"));
            ordered.putAll(help.subcommands());
            return help.commandList(ordered);
        });
        return cli;
    }

    /** Runs one command line and returns its exit code: 0 done, 1 the operation failed, 2 bad input. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = commandLine(out, err, args);
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
        return commandLine(out, err, new String[0]);
    }

    /**
     * The command tree for one command line: only the verb {@code args} names when it names one (picocli reads every
     * command's annotations when it is added, a good part of a short call's time), none for {@code up}, else every
     * verb.
     */
    public static CommandLine commandLine(PrintStream out, PrintStream err, String... args) {
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine cli = new CommandLine(new Root());
        String verb = args.length == 0 ? null : args[0];
        boolean known = VERBS.stream().anyMatch(v -> verbName(v).equals(verb));
        // `up` is added by the server's entry point (withUp); its start reads no client verb either.
        boolean none = "--version".equals(verb) || "-V".equals(verb) || "up".equals(verb);
        for (Class<?> v : VERBS) {
            if (!none && (!known || verbName(v).equals(verb))) {
                cli.addSubcommand(v);
            }
        }
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
        cli.setParameterExceptionHandler((ex, unused) -> {
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

    private static String verbName(Class<?> verb) {
        return verb.getAnnotation(Command.class).name();
    }

    /** The usage error of a command group run without one of its subcommands. */
    static ParameterException missingSubcommand(CommandSpec spec) {
        String choices = spec.subcommands().values().stream()
                .map(CommandLine::getCommandName).distinct().collect(Collectors.joining(", "));
        return new ParameterException(spec.commandLine(), "missing subcommand; one of: " + choices);
    }

    @Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Runs and manages stateful streaming pipelines on Apache Flink.")
    static final class Root implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw missingSubcommand(spec);
        }
    }

    /** {@code up} in the client's help; the server's class path runs it (bin/sluice chooses). */
    @Command(name = "up", description = UP_DESCRIPTION)
    static final class UpElsewhere implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new CliException(CliException.FAILED, "this is the client's class path; run `bin/sluice up` to start Sluice");
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
