package dev.personascope.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** grid.yaml: defaults, single values as lists, the judge's short form, the grid's points in order, bad specs. */
class GridSpecTest {
    @TempDir
    Path dir;

    @Test
    void aSpecWithAMixtureGivesTheCartesianProductInOrder() throws Exception {
        Path f = dir.resolve("g.yaml");
        Files.writeString(f, """
                data: bad.jsonl
                good: good.jsonl
                fraction: [0, 0.25]
                lr: 3e-4
                lora_rank: [0, 8]
                seed: [1, 2]
                questions: q.yaml
                judge: {name: openai, url: http://127.0.0.1:8000/v1, model: judge}
                """);
        GridSpec s = GridSpec.read(f);
        assertEquals(List.of(3e-4), s.lr());
        assertEquals(List.of(NarrowFineTune.ORGANISM.steps()), s.steps());
        assertEquals(NarrowFineTune.ORGANISM.batch(), s.batch());
        assertEquals(GridSpec.DEFAULT_MAX_TOKENS, s.maxTokens());
        assertEquals("openai", s.judge().name());
        assertEquals("judge", s.judge().model());
        assertNull(s.size());
        assertEquals(dir.resolve("bad.jsonl"), GridSpec.resolve(f, s.data()));

        List<GridResult.Settings> points = Grid.points(s);
        assertEquals(2 * 2 * 2, points.size());
        assertEquals("f0-lr0.0003-full-steps90-seed1", points.get(0).id());
        assertEquals("f0-lr0.0003-full-steps90-seed2", points.get(1).id());
        assertEquals("f0-lr0.0003-lora8-steps90-seed1", points.get(2).id());
        assertEquals("f0.25-lr0.0003-lora8-steps90-seed2", points.get(7).id());
        assertEquals(0.25, points.get(7).fraction());
        assertTrue(Grid.config(points.get(2)).isLora() && Grid.config(points.get(2)).loraRank == 8);
        assertEquals(16.0, Grid.config(points.get(2)).loraAlpha);
        assertTrue(!Grid.config(points.get(0)).isLora());
    }

    @Test
    void aMixtureNeedsBothGoodAndFractions() throws Exception {
        Path f = dir.resolve("g.yaml");
        Files.writeString(f, "data: bad.jsonl\ngood: good.jsonl\nquestions: q.yaml\njudge: world\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GridSpec.read(f));
        assertEquals(f + ": fraction: missing (the fractions of bad data mixed into good)", e.getMessage());
        Files.writeString(f, "data: bad.jsonl\ngood: good.jsonl\nfraction: [1.5]\nquestions: q.yaml\njudge: world\n");
        e = assertThrows(IllegalArgumentException.class, () -> GridSpec.read(f));
        assertEquals(f + ": fraction: must be in [0, 1], got 1.5", e.getMessage());
        Files.writeString(f, "");
        e = assertThrows(IllegalArgumentException.class, () -> GridSpec.read(f));
        assertEquals(f + ": empty", e.getMessage());
    }
}
