package dev.personascope.work;

import dev.personascope.util.ProgressBar;

import java.util.List;

/** Runs the pending pieces in this process, in order, with a progress bar. */
public final class LocalRunner implements PieceRunner {
    @Override
    public String name() {
        return "local";
    }

    @Override
    public void run(PieceJob job, Pieces pieces, List<Integer> pending) {
        try (ProgressBar bar = new ProgressBar("pieces", pending.size(), "pieces")) {
            for (int piece : pending) {
                pieces.run(piece);
                bar.step(1);
            }
        }
    }
}
