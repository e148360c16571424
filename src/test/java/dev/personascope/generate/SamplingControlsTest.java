package dev.personascope.generate;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.testutil.TestData;
import dev.personascope.testutil.TinyModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Presence and frequency penalties and logit bias as OpenAI defines them; streaming events; prompt logprobs. */
class SamplingControlsTest {

    @Test
    void processAppliesBiasAndPenaltiesOverThePickedTokens() {
        SamplingParams p = SamplingParams.greedy(5).withPenalties(0.5, 0.25).withLogitBias(Map.of(1, -3.0, 3, 100.0));
        Sampler s = new Sampler(p, 0);
        float[] logits = {1f, 2f, 3f, 4f};
        assertArrayEquals(new float[] {1f, -1f, 3f, 104f}, s.process(logits), 1e-6f);
        s.accept(2);
        s.accept(2);
        s.accept(0);
        // token 2: -0.5 - 2 * 0.25; token 0: -0.5 - 0.25
        assertArrayEquals(new float[] {0.25f, -1f, 2f, 104f}, s.process(logits), 1e-6f);
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, logits, 0f, "the caller's logits are left alone");
        Sampler plain = new Sampler(SamplingParams.greedy(5), 0);
        assertSame(logits, plain.process(logits));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.greedy(1).withPenalties(2.5, 0));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.greedy(1).withLogitBias(Map.of(0, 101.0)));
    }

    /** Greedy decoding with OpenAI's penalties, recomputing every position without a cache: the reference. */
    static int[] referenceGreedy(LanguageModel lm, int[] prompt, int n, double presence, double frequency,
                                 Map<Integer, Double> bias) {
        List<Integer> seq = new ArrayList<>();
        for (int t : prompt) {
            seq.add(t);
        }
        Map<Integer, Integer> counts = new HashMap<>();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            float[][] all = TinyModels.logits(lm, Generator.toArray(seq), Hooks.NONE);
            float[] l = all[all.length - 1];
            double best = Double.NEGATIVE_INFINITY;
            int arg = -1;
            for (int j = 0; j < l.length; j++) {
                int c = counts.getOrDefault(j, 0);
                double v = l[j] + bias.getOrDefault(j, 0.0) - (c > 0 ? presence : 0) - frequency * c;
                if (v > best) {
                    best = v;
                    arg = j;
                }
            }
            out[i] = arg;
            counts.merge(arg, 1, Integer::sum);
            seq.add(arg);
        }
        return out;
    }

    @Test
    void penalisedGreedyDecodingMatchesTheDefinitionAndStopsRepeats() {
        try (LanguageModel lm = LanguageModel.load(TestData.STORIES_HF)) {
            int[] prompt = lm.tokenizer().encode("Once upon a time", true);
            Generator gen = new Generator(lm);
            int[] plain = gen.generate(List.of(prompt), SamplingParams.greedy(80), Hooks.NONE).get(0).tokenIds();
            assertTrue(maxCount(plain) >= 3, "greedy repeats some token: " + java.util.Arrays.toString(plain) + " " + lm.tokenizer().decode(plain));
            SamplingParams penalised = SamplingParams.greedy(80).withPenalties(0, 2.0);
            int[] got = gen.generate(List.of(prompt), penalised, Hooks.NONE).get(0).tokenIds();
            assertArrayEquals(referenceGreedy(lm, prompt, 80, 0, 2.0, Map.of()), got);
            int repeated = mostFrequent(plain);
            assertTrue(count(got, repeated) < count(plain, repeated), "a strong frequency penalty repeats token "
                    + repeated + " less");
            SamplingParams presence = SamplingParams.greedy(12).withPenalties(2.0, 0);
            assertArrayEquals(referenceGreedy(lm, prompt, 12, 2.0, 0, Map.of()),
                    gen.generate(List.of(prompt), presence, Hooks.NONE).get(0).tokenIds());
            // a negative penalty encourages repeats
            SamplingParams negative = SamplingParams.greedy(12).withPenalties(-1.0, -1.0);
            assertArrayEquals(referenceGreedy(lm, prompt, 12, -1.0, -1.0, Map.of()),
                    gen.generate(List.of(prompt), negative, Hooks.NONE).get(0).tokenIds());
        }
    }

    @Test
    void logitBiasBansAndForcesTokens() {
        try (LanguageModel lm = LanguageModel.load(TestData.STORIES_HF)) {
            int[] prompt = lm.tokenizer().encode("Once upon a time", true);
            Generator gen = new Generator(lm).withLogprobs(true);
            int[] plain = gen.generate(List.of(prompt), SamplingParams.greedy(10), Hooks.NONE).get(0).tokenIds();
            Map<Integer, Double> ban = Map.of(plain[0], -100.0);
            Generation banned = gen.generate(List.of(prompt), SamplingParams.greedy(10).withLogitBias(ban), Hooks.NONE).get(0);
            for (int t : banned.tokenIds()) {
                assertTrue(t != plain[0], "token " + plain[0] + " is banned");
            }
            assertArrayEquals(referenceGreedy(lm, prompt, 10, 0, 0, ban), banned.tokenIds());
            int forced = lm.tokenizer().encode("dragon", false)[0];
            Generation f = gen.generate(List.of(prompt), new SamplingParams(6, 1.0, 1.0, 3, List.of(), 0)
                    .withLogitBias(Map.of(forced, 100.0)), Hooks.NONE).get(0);
            for (int t : f.tokenIds()) {
                assertEquals(forced, t);
            }
            // logprobs are those of the adjusted distribution: the forced token is certain
            assertTrue(f.logprobs().get(0).logprob() > -1e-6, "logprob " + f.logprobs().get(0).logprob());
        }
    }

    @Test
    void listenerSeesEveryTokenAndTheTextAddsUp() {
        try (LanguageModel lm = LanguageModel.load(TestData.STORIES_HF)) {
            int[] prompt = lm.tokenizer().encode("Once upon a time", true);
            for (long seed = 0; seed < 6; seed++) {
                // hot sampling reaches byte-fallback tokens, whose characters must come out whole
                SamplingParams p = new SamplingParams(60, 1.8, 1.0, seed, List.of(" the"), 3);
                StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
                int[] tokens = new int[2];
                String[] reason = new String[2];
                Generator gen = new Generator(lm).withTextOffsets(true);
                List<Generation> gens = gen.generate(List.of(prompt, prompt), p, Hooks.NONE, new Generator.Listener() {
                    @Override
                    public void token(int row, int id, TokenLogprob logprob, int textOffset, String piece) {
                        assertNotNull(logprob);
                        assertEquals(id, logprob.id());
                        assertTrue(textOffset >= 0);
                        assertNull(reason[row], "no token after the end");
                        tokens[row]++;
                        text[row].append(piece);
                    }

                    @Override
                    public void finished(int row, String rest, String finishReason) {
                        text[row].append(rest);
                        reason[row] = finishReason;
                    }
                });
                for (int r = 0; r < 2; r++) {
                    Generation g = gens.get(r);
                    assertEquals(g.text(), text[r].toString(), "seed " + seed);
                    assertEquals(g.finishReason(), reason[r]);
                    assertEquals(g.logprobs().size(), tokens[r]);
                    assertEquals(g.logprobs().size(), g.textOffsets().length);
                    assertTrue(!g.text().contains(" the"));
                }
            }
        }
    }

    @Test
    void promptLogprobsScoreEachPromptTokenAsTheModelDoes() {
        try (LanguageModel lm = LanguageModel.load(TestData.STORIES_HF)) {
            int[] a = lm.tokenizer().encode("Once upon a time there was", true);
            int[] b = lm.tokenizer().encode("Lily", true);
            List<Generation> gens = new Generator(lm).withPromptLogprobs(2)
                    .generate(List.of(a, b), SamplingParams.greedy(0), Hooks.NONE);
            assertEquals(0, gens.get(0).tokenIds().length);
            for (int r = 0; r < 2; r++) {
                int[] p = r == 0 ? a : b;
                List<TokenLogprob> lps = gens.get(r).promptLogprobs();
                assertEquals(p.length, lps.size());
                assertNull(lps.get(0));
                float[][] logits = TinyModels.logits(lm, p, Hooks.NONE);
                for (int j = 1; j < p.length; j++) {
                    double[] ls = Sampler.logSoftmax(logits[j - 1]);
                    assertEquals(p[j], lps.get(j).id());
                    assertEquals(ls[p[j]], lps.get(j).logprob(), 1e-4, "row " + r + " token " + j);
                    assertEquals(2, lps.get(j).top().size());
                    assertEquals(Sampler.argmax(logits[j - 1]), lps.get(j).top().get(0).id());
                }
            }
        }
    }

    private static int count(int[] a, int v) {
        int c = 0;
        for (int x : a) {
            c += x == v ? 1 : 0;
        }
        return c;
    }

    private static int mostFrequent(int[] a) {
        int best = a[0];
        for (int x : a) {
            if (count(a, x) > count(a, best)) {
                best = x;
            }
        }
        return best;
    }

    private static int maxCount(int[] a) {
        return count(a, mostFrequent(a));
    }
}
