package dev.personascope.work;

import java.nio.file.Files;
import java.nio.file.Path;

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

    /**
     * The file that marks the piece done: written atomically, last of the piece's files (the only one for most), under
     * a name fixed by the piece.
     */
    Path output(int piece);

    /** Whether the piece's output is written (a rerun skips it). */
    default boolean done(int piece) {
        return Files.isRegularFile(output(piece));
    }

    /** Computes the piece and writes its output atomically, {@link #output} last. */
    void run(int piece);

    @Override
    default void close() {
    }
}
