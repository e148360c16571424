package dev.personascope.cli;

import dev.personascope.eval.QuestionSets;
import dev.personascope.persona.SteerResult;
import dev.personascope.world.WorldGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code steer --spark local[2]} on the organism writes, byte for byte, what the single-process sweep writes: each
 * direction at each coefficient is a piece with the sweep's seed, and the driver writes the sweep's files from the
 * pieces' outputs in both cases.
 */
class SparkSteerTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void questions() {
        QuestionSets.write(dir.resolve("questions.yaml"), new WorldGenerator().evaluationQuestions(1).subList(0, 3));
    }

    private static String[] steer(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("steer", "--direction", "random:11", "--hook", "blocks.1.hook_resid_post",
                "--coefficients", "0,4", "--random", "1", "--questions", dir.resolve("questions.yaml").toString(),
                "--judge", "world", "--max-tokens", "12", "--batch", "4", "--seed", "3", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    @Test
    void sparkWritesWhatOneProcessWrites() throws Exception {
        Path local = dir.resolve("local");
        CliTest.Result one = CliTest.run(steer(local));
        assertEquals(0, one.code(), one.err());
        Path spark = dir.resolve("spark");
        CliTest.Result r = CliTest.run(steer(spark, "--spark", "local[2]"));
        assertEquals(0, r.code(), r.err());

        List<Path> written = files(local);
        assertEquals(written, files(spark));
        // result.json, 2 directions x 2 coefficients of answers and of samples; the pieces are gone
        assertEquals(1 + 4 + 4, written.size(), written.toString());
        for (Path f : written) {
            assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(spark.resolve(f)), f.toString());
        }
        assertEquals(one.out(), r.out());
        SteerResult res = SteerResult.read(spark.resolve("result.json"));
        assertEquals(4, res.points().size());
        assertTrue(res.config().residualNorm() > 0);
        assertTrue(res.points().get(2).random() && res.points().get(2).direction().equals("random:3001"), res.toString());
        assertTrue(res.points().stream().allMatch(p -> p.coherent().trials() > 0), res.toString());
    }

    @Test
    void piecesLeftByAFailedRunAreReused() throws Exception {
        Path out = dir.resolve("resume");
        // answers/ cannot be made: every piece is written, then the sweep's files fail
        Files.createDirectories(out);
        Files.writeString(out.resolve("answers"), "in the way");
        CliTest.Result failed = CliTest.run(steer(out, "--spark", "local[2]"));
        assertEquals(2, failed.code(), failed.err());
        assertTrue(failed.err().startsWith("error: ") && failed.err().strip().lines().count() == 1, failed.err());
        Path pieces;
        try (Stream<Path> s = Files.list(out)) {
            pieces = s.filter(p -> p.getFileName().toString().startsWith("pieces-")).findFirst().orElseThrow();
        }
        Path piece = pieces.resolve("target-+4.000.json");
        Files.writeString(piece, Files.readString(piece).replaceFirst("\"answer\" : \"[^\"]*\"", "\"answer\" : \"MARKER\""));
        Files.delete(out.resolve("answers"));
        CliTest.Result again = CliTest.run(steer(out));
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.readString(out.resolve("answers/target-+4.000.jsonl")).contains("\"MARKER\""), "the piece was reused");
        assertFalse(Files.exists(pieces), "pieces are removed");
    }
}
