package dev.personascope.cli;

import dev.personascope.model.io.TensorFormatException;
import dev.personascope.util.EnumNames;
import dev.personascope.util.OneLine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;

import java.util.HashSet;
import java.util.Set;

/** The {@code personascope} command line. */
@Command(name = "personascope", mixinStandardHelpOptions = true, version = "PersonaScope 0.1.0",
        description = "Find, watch and control the persona features behind emergent misalignment.",
        subcommands = {DemoCommand.class, GenerateCommand.class, FinetuneCommand.class, MergeCommand.class, WorldCommand.class, SaeCommand.class, InspectCommand.class, ServeCommand.class, EvalCommand.class, DiffCommand.class, PersonasCommand.class, SteerCommand.class, VectorCommand.class, LatentCommand.class,
                ScreenCommand.class, ExperimentCommand.class, BenchCommand.class, ForwardCommand.class, TemplateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with errors printed as one line, not a stack trace. Mode options (enums) take their
     * lower-case names, and a value that is not one of them, or not a number where one is expected, is one line.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        lowerCaseEnums(cl);
        CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, args) -> {
            if (ex.getCause() instanceof CommandLine.TypeConversionException) {
                ex.getCommandLine().getErr().println("error: " + OneLine.of(ex.getMessage()));
                return 2;
            }
            return usage.handleParseException(ex, args);
        });
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            if (ex instanceof TensorFormatException || ex instanceof IllegalArgumentException
                    || ex instanceof IllegalStateException || ex instanceof java.io.UncheckedIOException) {
                line.getErr().println("error: " + OneLine.of(ex.getMessage()));
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /** Every enum option of every command reads its constants' lower-case names (any case), as EnumNames writes them. */
    private static void lowerCaseEnums(CommandLine cl) {
        Set<Class<?>> enums = new HashSet<>();
        collectEnums(cl, enums);
        enums.forEach(type -> registerEnum(cl, type));
    }

    private static void collectEnums(CommandLine cl, Set<Class<?>> enums) {
        for (ArgSpec a : cl.getCommandSpec().args()) {
            for (Class<?> t : a.auxiliaryTypes()) {
                if (t.isEnum()) {
                    enums.add(t);
                }
            }
        }
        cl.getSubcommands().values().forEach(sub -> collectEnums(sub, enums));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void registerEnum(CommandLine cl, Class type) {
        cl.registerConverter(type, text -> lowerCaseConstant(type, text));
    }

    private static <E extends Enum<E>> E lowerCaseConstant(Class<E> type, String text) {
        try {
            return EnumNames.parse(type, text, "the value");
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.TypeConversionException("expected " + EnumNames.choices(type) + ", got '" + text + "'");
        }
    }
}
