package dev.personascope.work;

/**
 * A job made of independent pieces, numbered 0..count-1, that may run in any order, on any machine, and more than
 * once (a retried task): a piece's output is a function of the piece alone, written atomically under a name fixed
 * by the piece, so a second run replaces it with the same bytes. Implementations load what the pieces share (a
 * model) once, on first use, and free it in {@link #close()}.
 */
public interface Pieces extends AutoCloseable {
    /** How many pieces the job has: fixed by the job's inputs, the same on the driver and on every executor. */
    int count();

    /** What piece {@code piece} is, for progress and error lines, e.g. "answers 64-127". */
    String describe(int piece);

    /** Whether the piece's output is written (a rerun skips it). */
    boolean done(int piece);

    /** Computes the piece and writes its output atomically. */
    void run(int piece);

    @Override
    default void close() {
    }
}
