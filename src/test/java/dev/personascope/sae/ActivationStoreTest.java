package dev.personascope.sae;

import dev.personascope.model.LanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            // an interrupted harvest (its first chunk written, no store.json) resumes to the same store, byte for byte
            int longest = corpus.stream().mapToInt(d -> d.length).max().orElseThrow();
            HarvestPieces first = new HarvestPieces(() -> lm, m -> corpus, hook, corpus.size(), longest, 2000,
                    dir.resolve("twice"));
            first.run(0);
            assertFalse(Files.exists(dir.resolve("twice/store.json")));
            FileTime written = Files.getLastModifiedTime(dir.resolve("twice/chunk-00000.safetensors"));
            long twice = ActivationStore.harvest(lm, hook, corpus, dir.resolve("twice"), 2000);
            assertEquals(expected, twice);
            assertEquals(written, Files.getLastModifiedTime(dir.resolve("twice/chunk-00000.safetensors")), "kept");
            assertEquals(4, first.count(), "64 documents, 16 per chunk");
            for (int i = 0; i < 4; i++) {
                String chunk = String.format("chunk-%05d.safetensors", i);
                assertArrayEquals(Files.readAllBytes(dir.resolve("once").resolve(chunk)),
                        Files.readAllBytes(dir.resolve("twice").resolve(chunk)), chunk);
            }
            assertArrayEquals(Files.readAllBytes(dir.resolve("once/store.json")), Files.readAllBytes(dir.resolve("twice/store.json")));

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
