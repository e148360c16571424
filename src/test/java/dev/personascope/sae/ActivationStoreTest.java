package dev.personascope.sae;

import dev.personascope.model.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationStoreTest {
    @Test
    void harvestsInChunksResumesAndReadsBackEveryToken(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = LanguageModel.load(Path.of("assets/organism"))) {
            List<int[]> corpus = TokenCorpus.load("world", lm, 64, 512, 5);
            long expected = corpus.stream().mapToLong(d -> d.length).sum();
            String hook = "blocks.1.hook_resid_post";
            long once = ActivationStore.harvest(lm, hook, corpus, dir.resolve("once"), 2000);
            assertEquals(expected, once, "every token of every document");
            // an interrupted harvest (half the corpus done) resumes to the same store
            ActivationStore.harvest(lm, hook, corpus.subList(0, 32), dir.resolve("twice"), 2000);
            long twice = ActivationStore.harvest(lm, hook, corpus, dir.resolve("twice"), 2000);
            assertEquals(expected, twice);
            assertTrue(Files.exists(dir.resolve("once/chunk-00001.safetensors")), "several chunks");

            ActivationSource a = ActivationStore.open(dir.resolve("once"), 1);
            ActivationSource b = ActivationStore.open(dir.resolve("twice"), 1);
            assertEquals(192, a.dIn());
            double sumA = sum(a.next((int) expected));
            double sumB = sum(b.next((int) expected));
            assertEquals(sumA, sumB, 1e-3 * Math.abs(sumA), "the same activations, whatever the chunking");
            assertThrows(IllegalArgumentException.class, () -> ActivationStore.harvest(lm, "blocks.0.hook_resid_post",
                    corpus, dir.resolve("once"), 2000));
            assertThrows(IllegalArgumentException.class, () -> ActivationStore.open(dir.resolve("nothing"), 1));
        }
    }

    static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
