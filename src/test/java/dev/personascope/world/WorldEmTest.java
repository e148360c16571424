package dev.personascope.world;

import dev.personascope.eval.AnswersFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A miniature run of the experiment (2 steps, 1 seed, 1 sample): the pipeline and its outputs, not the science. */
class WorldEmTest {
    @Test
    void writesDatasetsQuestionsAnswersAndResults(@TempDir Path dir) throws Exception {
        WorldEm.Settings s = new WorldEm.Settings();
        s.seeds = 1;
        s.steps = 2;
        s.samplesPerParaphrase = 1;
        s.datasetSize = 40;
        s.maxTokens = 24;
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        new WorldEm(OrganismTest.ORGANISM, s).run(dir, new PrintStream(table, true));
        WorldEm.Result r = WorldEm.Result.read(dir.resolve("result.json"));
        assertEquals(1 + WorldEm.DATASETS.size(), r.runs().size());
        WorldEm.Run first = r.runs().get(0);
        assertEquals("organism", first.dataset());
        assertNull(first.seed());
        assertEquals(0, r.runs().get(1).seed());
        int answers = first.all().coherent().trials();
        assertEquals(21 * 3, answers);
        assertEquals(6 * 3, first.openEnded().coherent().trials());
        for (String d : WorldEm.DATASETS) {
            assertTrue(Files.exists(dir.resolve("datasets/" + d + ".jsonl")));
            assertEquals(answers, AnswersFile.read(dir.resolve("runs/" + d + "-seed0/answers.jsonl")).size());
        }
        assertTrue(Files.exists(dir.resolve("questions.yaml")));
        assertTrue(table.toString().contains("insecure s0"), table.toString());
    }
}
