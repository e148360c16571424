package dev.personascope.work;

import dev.personascope.util.Plugins;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The executor's side of a cluster job: rebuilds a {@link PieceJob}'s {@link Pieces} once per JVM (so the model they
 * load is loaded once and reused by every piece this executor runs) and runs them one at a time, all on one thread of
 * its own, whichever of Spark's task threads asks: libtorch already spreads one piece over the cores (its OpenMP team
 * belongs to the thread that calls it: one calling thread keeps one team instead of a spinning team per task thread),
 * its grad mode is per thread, and DJL trains one model at a time per JVM.
 */
public final class ExecutorPieces {
    private static final Map<String, Pieces> OPEN = new ConcurrentHashMap<>();
    private static final ExecutorService PIECE_THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "personascope-pieces");
        t.setDaemon(true);
        return t;
    });

    private ExecutorPieces() {
    }

    /** Runs piece {@code piece} of the job unless its output is already written (by an earlier attempt). */
    public static void run(PieceJob job, int piece) {
        onPieceThread(() -> {
            job.properties().forEach((k, v) -> {
                if (System.getProperty(k) == null) {
                    System.setProperty(k, v);
                }
            });
            Pieces pieces = OPEN.computeIfAbsent(job.id(), id -> source(job.source()).open(job.args()));
            if (!pieces.done(piece)) {
                pieces.run(piece);
            }
            return null;
        });
    }

    /** Frees what a job's pieces loaded in this JVM (its end in local mode, where executors share the driver's JVM). */
    public static void release(String jobId) {
        onPieceThread(() -> {
            Pieces p = OPEN.remove(jobId);
            if (p != null) {
                p.close();
            }
            return null;
        });
    }

    /** Runs {@code work} on the piece thread and waits for it; its exception is thrown here. */
    private static void onPieceThread(Callable<Void> work) {
        Future<Void> f = PIECE_THREAD.submit(work);
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            // a killed task: the piece (native code) finishes on its thread, its output written atomically or not at all
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a piece runs", e);
        }
    }

    private static PieceSource source(String name) {
        return Plugins.load(PieceSource.class, "piece source", PieceSource::name).get(name);
    }
}
