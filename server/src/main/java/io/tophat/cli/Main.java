package io.tophat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tophat} command: parses the command line and hands over to one subcommand. */
@Command(name = "tophat", mixinStandardHelpOptions = true, version = "TopHat 0.1.0", scope = CommandLine.ScopeType.INHERIT,
        description = "Middleware for mobile sensor data: a balancer, workers, simulated producers and consumers.",
        subcommands = {LocalCommand.class, BalancerCommand.class, WorkerCommand.class, ProducersCommand.class,
                ConsumersCommand.class, GetCommand.class, HistoryCommand.class, WatchCommand.class, NearCommand.class,
                AreaCommand.class, EraseCommand.class, TokenCommand.class, KeysCommand.class, MqttBridgeCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handlers, for running a command in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setParameterExceptionHandler((e, args) -> {
                    CommandLine cmd = e.getCommandLine();
                    String name = cmd.getParent() == null ? "tophat" : "tophat " + cmd.getCommandName();
                    cmd.getErr().println(name + ": " + oneLine(e) + " (see '" + name + " --help')");
                    return 2;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println(cmd.getCommandName() + ": " + oneLine(e));
                    return 1;
                });
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
