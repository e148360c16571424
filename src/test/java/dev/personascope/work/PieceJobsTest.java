package dev.personascope.work;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver's rules: only pieces without output run, and a piece still without output afterwards is an error. */
class PieceJobsTest {
    @TempDir
    Path dir;

    /** Pieces that write their number to a file; {@code skip} is one that "fails silently" (writes nothing). */
    private final class Files3 implements Pieces {
        final List<Integer> ran = new ArrayList<>();
        final int skip;

        Files3(int skip) {
            this.skip = skip;
        }

        @Override
        public int count() {
            return 3;
        }

        @Override
        public String describe(int piece) {
            return "file " + piece;
        }

        @Override
        public Path output(int piece) {
            return dir.resolve(piece + ".txt");
        }

        @Override
        public void run(int piece) {
            ran.add(piece);
            if (piece != skip) {
                dev.personascope.util.AtomicFiles.writeString(dir.resolve(piece + ".txt"), String.valueOf(piece));
            }
        }
    }

    @Test
    void runsOnlyWhatIsMissing() throws Exception {
        Files.writeString(dir.resolve("1.txt"), "1");
        Files3 p = new Files3(-1);
        PieceJobs.runAll(p, PieceJobs.job("test", List.of()), new LocalRunner());
        assertEquals(List.of(0, 2), p.ran);
        Files3 again = new Files3(-1);
        PieceJobs.runAll(again, PieceJobs.job("test", List.of()), new LocalRunner());
        assertEquals(List.of(), again.ran);
    }

    @Test
    void aGapIsAnErrorNamingThePiece() {
        Files3 p = new Files3(2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PieceJobs.runAll(p, PieceJobs.job("test", List.of()), new LocalRunner()));
        assertTrue(e.getMessage().contains("piece 2 (file 2)"), e.getMessage());
    }
}
