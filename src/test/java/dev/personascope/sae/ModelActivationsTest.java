package dev.personascope.sae;

import dev.personascope.model.LanguageModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Forwards running ahead on a background thread give the batches of forwards made in place, whatever the timing. */
class ModelActivationsTest {
    @Test
    void runningAheadGivesTheSameBatchesWhateverTheTiming() throws Exception {
        try (LanguageModel lm = LanguageModel.load(Path.of("assets/organism"))) {
            List<int[]> corpus = TokenCorpus.load("world", lm, 40, 512, 5);
            String hook = "blocks.1.hook_resid_post";
            int batches = 24; // 24 × 1024 tokens from a 16384 buffer: refills after the first fill
            float[][] inPlace = draw(new ModelActivations(lm, hook, corpus, 16384, 9, false), batches, 0);
            float[][] fast = draw(new ModelActivations(lm, hook, corpus, 16384, 9), batches, 0);
            float[][] slow = draw(new ModelActivations(lm, hook, corpus, 16384, 9), batches, 20);
            for (int i = 0; i < batches; i++) {
                assertEquals(1024 * 192, inPlace[i].length);
                assertArrayEquals(inPlace[i], fast[i], "batch " + i + ", consumer waiting for the forwards");
                assertArrayEquals(inPlace[i], slow[i], "batch " + i + ", forwards waiting for the consumer");
            }
        }
    }

    /** {@code n} batches of 1024, pausing {@code pauseMillis} after each (a slow trainer lets the forwards run ahead). */
    private static float[][] draw(ModelActivations source, int n, long pauseMillis) throws InterruptedException {
        try (source) {
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) {
                out[i] = source.next(1024);
                Thread.sleep(pauseMillis);
            }
            return out;
        }
    }
}
