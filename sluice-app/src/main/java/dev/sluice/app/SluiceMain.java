package dev.sluice.app;

import dev.sluice.cli.SluiceCli;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;

/** The {@code sluice} launcher: the client verbs plus {@code up}, which runs the server. */
public final class SluiceMain {
    private SluiceMain() {}

    public static void main(String[] args) {
        CommandLine cli = SluiceCli.commandLine(System.out, System.err);
        cli.addSubcommand("up", new UpCommand());
        // `up` first in the help: it is what a new user runs first.
        cli.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> {
            Map<String, CommandLine.Help> ordered = new LinkedHashMap<>();
            ordered.put("up", help.subcommands().get("up"));
            ordered.putAll(help.subcommands());
            return help.commandList(ordered);
        });
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(code);
    }
}
