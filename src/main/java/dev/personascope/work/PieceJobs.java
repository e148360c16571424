package dev.personascope.work;

import dev.personascope.util.Plugins;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The driver's side of a job: finds the pieces not yet done, has a runner run them, then checks that every piece's
 * output is there (a gap is an error naming the piece, never a silently short result).
 */
public final class PieceJobs {
    /** The system properties executors take from the driver: what the pieces' results depend on. */
    private static final List<String> CARRIED = List.of("ai.djl.offline", "ai.djl.pytorch.num_threads",
            "personascope.home");

    private PieceJobs() {
    }

    /** A job of {@code source} with these arguments and a fresh id. */
    public static PieceJob job(String source, List<String> args) {
        Map<String, String> props = new java.util.TreeMap<>();
        for (String k : CARRIED) {
            String v = System.getProperty(k);
            if (v != null) {
                props.put(k, v);
            }
        }
        return new PieceJob(UUID.randomUUID().toString(), source, args, props);
    }

    /**
     * The runner for {@code master}: this process when it is null, else the cluster engine's (the only one is
     * Apache Spark); an error line when the engine's jars are missing.
     */
    public static PieceRunner runner(String master, Map<String, String> settings) {
        if (master == null) {
            return new LocalRunner();
        }
        ClusterProvider spark = Plugins.load(ClusterProvider.class, "cluster engine", ClusterProvider::name).get("spark");
        String why = spark.unavailable();
        if (why != null) {
            throw new IllegalStateException("--spark " + master + ": " + why);
        }
        return spark.runner(master, settings);
    }

    /** Runs every piece that is not done, then checks all are; prints how many were done before. */
    public static void runAll(Pieces pieces, PieceJob job, PieceRunner runner) {
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < pieces.count(); i++) {
            if (!pieces.done(i)) {
                pending.add(i);
            }
        }
        if (pending.size() < pieces.count()) {
            System.err.println("resuming: " + (pieces.count() - pending.size()) + " of " + pieces.count()
                    + " pieces are done already");
        }
        if (!pending.isEmpty()) {
            try {
                runner.run(job, pieces, pending);
            } finally {
                ExecutorPieces.release(job.id());
            }
        }
        for (int i = 0; i < pieces.count(); i++) {
            if (!pieces.done(i)) {
                throw new IllegalStateException("piece " + i + " (" + pieces.describe(i) + ") has no output after the "
                        + runner.name() + " run; rerun to compute the pieces still missing");
            }
        }
    }
}
