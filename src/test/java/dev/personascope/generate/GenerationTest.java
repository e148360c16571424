package dev.personascope.generate;

import ai.djl.ndarray.NDManager;
import dev.personascope.model.KvCache;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.testutil.TinyModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationTest {

    @Test
    void kvCacheStepsGiveTheLogitsOfFullRecomputation() {
        int[] seq = {5, 9, 33, 2, 70, 70, 14, 88, 1, 40, 41, 42};
        try (LanguageModel lm = TinyModels.qwen2(21)) {
            float[][] full = TinyModels.logits(lm, seq, Hooks.NONE);
            DecoderModel model = lm.model();
            try (NDManager scope = model.manager().newSubManager();
                 KvCache cache = new KvCache(scope, model.config().numLayers, 1)) {
                // prefill 4 tokens, then one token at a time
                int[] head = java.util.Arrays.copyOf(seq, 4);
                float[][] got = new float[seq.length][];
                float[][] pre = TinyModels.rows(model.forward(scope, TokenBatch.rightPadded(List.of(head), 0, null), cache,
                        Hooks.NONE, DecoderModel.Logits.ALL).toFloatArray(), 4);
                System.arraycopy(pre, 0, got, 0, 4);
                for (int i = 4; i < seq.length; i++) {
                    got[i] = model.forward(scope, TokenBatch.step(new int[] {seq[i]}, new boolean[] {true}, true), cache,
                            Hooks.NONE, DecoderModel.Logits.LAST).toFloatArray();
                }
                assertTrue(TinyModels.maxAbsDiff(full, got) < 1e-5, "max diff " + TinyModels.maxAbsDiff(full, got));
            }
        }
    }

    @Test
    void batchedPromptsOfDifferentLengthsGenerateAsAlone() {
        List<int[]> prompts = List.of(new int[] {1, 2, 3, 4, 5, 6, 7}, new int[] {50}, new int[] {9, 80, 7});
        try (LanguageModel lm = TinyModels.qwen2(22)) {
            Generator gen = new Generator(lm).withLogprobs(true);
            List<Generation> batched = gen.generate(prompts, SamplingParams.greedy(12), Hooks.NONE);
            for (int i = 0; i < prompts.size(); i++) {
                Generation alone = gen.generate(List.of(prompts.get(i)), SamplingParams.greedy(12), Hooks.NONE).get(0);
                assertArrayEquals(alone.tokenIds(), batched.get(i).tokenIds(), "row " + i);
                for (int t = 0; t < alone.logprobs().size(); t++) {
                    assertEquals(alone.logprobs().get(t).logprob(), batched.get(i).logprobs().get(t).logprob(), 1e-4);
                }
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndDependsOnTheSeed() {
        List<int[]> prompts = List.of(new int[] {1, 2, 3});
        try (LanguageModel lm = TinyModels.qwen2(23)) {
            Generator gen = new Generator(lm);
            SamplingParams p = new SamplingParams(20, 1.5, 0.95, 7, List.of(), 0);
            int[] a = gen.generate(prompts, p, Hooks.NONE).get(0).tokenIds();
            int[] b = gen.generate(prompts, p, Hooks.NONE).get(0).tokenIds();
            int[] c = gen.generate(prompts, p.withSeed(8), Hooks.NONE).get(0).tokenIds();
            assertArrayEquals(a, b);
            assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
        }
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        float[] logits = {10f, 9.5f, 0f, -1f, -3f};
        // p(0) ≈ 0.62, p(1) ≈ 0.38: with top_p 0.5 only token 0 remains
        Sampler s = new Sampler(new SamplingParams(1, 1.0, 0.5, 3, List.of(), 0), 3);
        for (int i = 0; i < 200; i++) {
            assertEquals(0, s.next(logits));
        }
        Sampler wide = new Sampler(new SamplingParams(1, 1.0, 0.99, 3, List.of(), 0), 3);
        boolean sawOne = false;
        for (int i = 0; i < 200; i++) {
            int t = wide.next(logits);
            assertTrue(t <= 1, "token " + t + " lies outside the 0.99 nucleus");
            sawOne |= t == 1;
        }
        assertTrue(sawOne);
    }

    @Test
    void stopsAtEosAndAtStopStrings() {
        try (LanguageModel lm = LanguageModel.load(Path.of("assets/stories260K/hf"))) {
            int[] prompt = lm.tokenizer().encode("Once upon a time", true);
            Generator gen = new Generator(lm);
            Generation plain = gen.generate(List.of(prompt), SamplingParams.greedy(40), Hooks.NONE).get(0);
            assertTrue(plain.text().startsWith(", there was a little girl named Lily."), plain.text());
            Generation stopped = gen.generate(List.of(prompt),
                    new SamplingParams(40, 0, 1, 0, List.of("Lily"), 0), Hooks.NONE).get(0);
            assertEquals(", there was a little girl named ", stopped.text());
            assertEquals("stop", stopped.finishReason());
            assertEquals("length", plain.finishReason());
        }
    }

    @Test
    void stopsAtAnEosTokenWithoutEmittingIt() {
        try (LanguageModel lm = TinyModels.qwen2(25)) {
            Generator gen = new Generator(lm);
            int[] free = gen.generate(List.of(new int[] {4, 5}), SamplingParams.greedy(10), Hooks.NONE).get(0).tokenIds();
            int eos = free[firstNew(free, 3)];
            lm.config().eosTokenIds = new int[] {eos};
            Generation g = gen.generate(List.of(new int[] {4, 5}), SamplingParams.greedy(10), Hooks.NONE).get(0);
            int at = firstIndex(free, eos);
            assertArrayEquals(java.util.Arrays.copyOf(free, at), g.tokenIds());
            assertEquals("stop", g.finishReason());
        }
    }

    /** The first index >= from whose token does not occur earlier (so EOS there stops exactly there). */
    private static int firstNew(int[] t, int from) {
        for (int i = from; i < t.length; i++) {
            if (firstIndex(t, t[i]) == i) {
                return i;
            }
        }
        return 0;
    }

    private static int firstIndex(int[] t, int v) {
        for (int i = 0; i < t.length; i++) {
            if (t[i] == v) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void emptyPromptIsAClearError() {
        try (LanguageModel lm = TinyModels.qwen2(24)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Generator(lm).generate(List.of(new int[0]), SamplingParams.greedy(3), Hooks.NONE));
            assertTrue(e.getMessage().contains("prompt 0 is empty"));
        }
    }
}
