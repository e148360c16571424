package dev.personascope.work;

import dev.personascope.util.Plugins;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executor's side of a cluster job: rebuilds a {@link PieceJob}'s {@link Pieces} once per JVM (so the model they
 * load is loaded once and reused by every piece this executor runs) and runs one piece at a time in this JVM: libtorch
 * already spreads one piece over the cores, and training (DJL's gradient collector) allows only one at a time.
 */
public final class ExecutorPieces {
    private static final Map<String, Pieces> OPEN = new ConcurrentHashMap<>();
    private static final Object ONE_AT_A_TIME = new Object();

    private ExecutorPieces() {
    }

    /** Runs piece {@code piece} of the job unless its output is already written (by an earlier attempt). */
    public static void run(PieceJob job, int piece) {
        synchronized (ONE_AT_A_TIME) {
            job.properties().forEach((k, v) -> {
                if (System.getProperty(k) == null) {
                    System.setProperty(k, v);
                }
            });
            Pieces pieces = OPEN.computeIfAbsent(job.id(), id -> source(job.source()).open(job.args()));
            if (!pieces.done(piece)) {
                pieces.run(piece);
            }
        }
    }

    /** Frees what a job's pieces loaded in this JVM (its end in local mode, where executors share the driver's JVM). */
    public static void release(String jobId) {
        synchronized (ONE_AT_A_TIME) {
            Pieces p = OPEN.remove(jobId);
            if (p != null) {
                p.close();
            }
        }
    }

    private static PieceSource source(String name) {
        return Plugins.load(PieceSource.class, "piece source", PieceSource::name).get(name);
    }
}
