package dev.personascope.cli;

import dev.personascope.work.PieceJobs;
import dev.personascope.work.Pieces;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --spark MASTER} and {@code --spark-conf KEY=VALUE}, shared by the commands whose work splits into pieces:
 * without them the pieces run here, one after another; with them, on Apache Spark, one task per piece.
 */
final class SparkOptions {
    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the work in pieces on Apache Spark: local[N],"
            + " spark://HOST:PORT, or 'submit' for the master spark-submit gives (YARN, Kubernetes). Outputs go to --out,"
            + " which every executor must see at the same path, in the layout a run without --spark writes")
    String master;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "A Spark setting (repeatable), e.g."
            + " spark.executor.memory=8g")
    Map<String, String> settings = new LinkedHashMap<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    boolean enabled() {
        return master != null;
    }

    /** Runs every piece not yet done, here or (with --spark) on Spark, then checks that none is missing. */
    void run(Pieces pieces) {
        if (master == null && !settings.isEmpty()) {
            throw new IllegalArgumentException("--spark-conf needs --spark MASTER");
        }
        ParseResult parsed = spec.root().commandLine().getParseResult();
        List<String> relative = master == null || master.startsWith("local") ? List.of() : ExecutorArgs.relativePaths(parsed);
        if (!relative.isEmpty()) {
            throw new IllegalArgumentException("--spark " + master + ": executors run in folders of their own, so give"
                    + " absolute paths on a file system they all see (relative: " + String.join(", ", relative) + ")");
        }
        List<String> args = parsed.originalArgs();
        PieceJobs.runAll(pieces, PieceJobs.job(CommandPieces.NAME, args), PieceJobs.runner(master, settings));
    }
}
