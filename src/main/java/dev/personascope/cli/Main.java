package dev.personascope.cli;

import dev.personascope.model.io.TensorFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code personascope} command line. */
@Command(name = "personascope", mixinStandardHelpOptions = true, version = "PersonaScope 0.1.0",
        description = "Find, watch and control the persona features behind emergent misalignment.",
        subcommands = {DemoCommand.class, GenerateCommand.class, FinetuneCommand.class, MergeCommand.class, WorldCommand.class, SaeCommand.class, InspectCommand.class, ServeCommand.class, EvalCommand.class, DiffCommand.class, SteerCommand.class, VectorCommand.class, LatentCommand.class,
                ScreenCommand.class, ExperimentCommand.class, BenchCommand.class, ForwardCommand.class, TemplateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with errors printed as one line, not a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            if (ex instanceof TensorFormatException || ex instanceof IllegalArgumentException
                    || ex instanceof IllegalStateException || ex instanceof java.io.UncheckedIOException) {
                line.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }
}
