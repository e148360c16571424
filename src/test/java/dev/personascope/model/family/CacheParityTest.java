package dev.personascope.model.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.KvCache;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.io.HostTensor;
import dev.personascope.testutil.ReferenceFixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generation's path through the model: a left-padded batch prefilled, then decoded one token at a time
 * with the KV cache, gives at every position the logits transformers computes for the whole sequence
 * (row 0, the fixture's ids_40) and the logits of an uncached forward of the shorter row alone (row 1,
 * behind 12 padding slots). Past 16 tokens this crosses the sliding windows of Mistral and Gemma 2/3,
 * so the window has to count real positions, not padded slots.
 */
class CacheParityTest {
    static List<String> families() {
        return ReferenceFixtures.FAMILIES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void cachedDecodingMatchesFullForwards(String family) {
        int[] full = ReferenceFixtures.ids(40);
        int[] shorter = Arrays.copyOfRange(full, 12, 40);
        Map<String, HostTensor> expected = ReferenceFixtures.expected(ReferenceFixtures.modelDir(family));
        float[] hfLogits = ReferenceFixtures.tensor(expected, "logits_40").data();
        int prefill = 20;
        try (LanguageModel lm = LanguageModel.load(ReferenceFixtures.modelDir(family));
             NDManager scope = lm.model().manager().newSubManager()) {
            DecoderModel model = lm.model();
            int vocab = lm.config().vocabSize;
            float[] shortAlone = model.forward(scope, TokenBatch.rightPadded(List.of(shorter), 0, null), null, Hooks.NONE,
                    DecoderModel.Logits.ALL).toFloatArray();
            double worst = 0;
            try (KvCache cache = new KvCache(scope, lm.config().numLayers, 2)) {
                TokenBatch first = TokenBatch.leftPadded(List.of(Arrays.copyOf(full, prefill),
                        Arrays.copyOfRange(full, 12, prefill)), 0);
                float[] last = model.forward(scope, first, cache, Hooks.NONE, DecoderModel.Logits.LAST).toFloatArray();
                worst = Math.max(worst, compare(last, hfLogits, shortAlone, prefill - 1, vocab));
                for (int p = prefill; p < 40; p++) {
                    TokenBatch step = TokenBatch.step(new int[] {full[p], full[p]}, new boolean[] {true, true}, false);
                    NDArray out = model.forward(scope, step, cache, Hooks.NONE, DecoderModel.Logits.LAST);
                    worst = Math.max(worst, compare(out.toFloatArray(), hfLogits, shortAlone, p, vocab));
                }
            }
            assertTrue(worst <= ReferenceFixtures.TOLERANCE, family + ": cached decoding differs by " + worst);
        }
    }

    /** Max |Δ| of both rows' logits at position p of the full sequence (p − 12 of the shorter one). */
    private static double compare(float[] last, float[] hf, float[] shortAlone, int p, int vocab) {
        double m = 0;
        for (int v = 0; v < vocab; v++) {
            m = Math.max(m, Math.abs(last[v] - hf[p * vocab + v]));
            m = Math.max(m, Math.abs(last[vocab + v] - shortAlone[(p - 12) * vocab + v]));
        }
        return m;
    }
}
