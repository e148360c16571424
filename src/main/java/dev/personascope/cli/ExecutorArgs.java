package dev.personascope.cli;

import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a command line for executors that run in folders of their own: an executor rebuilds the pieces from the
 * command's arguments as typed (so that what it records, e.g. the model's path in samples.jsonl, is what a run without
 * Spark records), so its path options must be absolute, on a file system every executor sees at the same paths.
 * Executors in this JVM ({@code local[N]}) share its folder and take relative paths.
 */
final class ExecutorArgs {
    private ExecutorArgs() {
    }

    /** The path options given as relative paths, e.g. "--model assets/organism". */
    static List<String> relativePaths(ParseResult root) {
        List<String> out = new ArrayList<>();
        for (ParseResult pr = root; pr != null; pr = pr.hasSubcommand() ? pr.subcommand() : null) {
            List<ArgSpec> matched = new ArrayList<>(pr.matchedOptions());
            matched.addAll(pr.matchedPositionals());
            for (ArgSpec a : matched) {
                if (!isPath(a)) {
                    continue;
                }
                for (String v : a.originalStringValues()) {
                    if (!Path.of(v).isAbsolute()) {
                        out.add((a instanceof OptionSpec o ? o.longestName() + " " : "") + v);
                    }
                }
            }
        }
        return out;
    }

    private static boolean isPath(ArgSpec a) {
        List<Class<?>> types = new ArrayList<>(List.of(a.auxiliaryTypes()));
        types.add(a.type());
        return types.stream().anyMatch(t -> Path.class.isAssignableFrom(t) || java.io.File.class.isAssignableFrom(t));
    }
}
