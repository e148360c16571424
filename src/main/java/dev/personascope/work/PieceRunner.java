package dev.personascope.work;

import java.util.List;

/**
 * Runs a job's pending pieces somewhere. {@link LocalRunner} runs them here, one after another; a cluster runner
 * (made by a {@link ClusterProvider}, e.g. Apache Spark's) sends each to an executor, which rebuilds the pieces from
 * the {@link PieceJob} ({@link ExecutorPieces}).
 */
public interface PieceRunner {
    /** The runner's name, e.g. "spark". */
    String name();

    /**
     * Runs the pieces listed in {@code pending} (each at least once; retried where the runner retries failed tasks).
     *
     * @param pieces the job's pieces on the driver (for their count and descriptions; a cluster runner does not run
     *               them here)
     */
    void run(PieceJob job, Pieces pieces, List<Integer> pending);
}
