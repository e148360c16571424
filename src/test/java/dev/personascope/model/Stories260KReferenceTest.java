package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.hooks.CaptureHook;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.testutil.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real stories260K model, in both formats, against llama2.c's run.c outputs. */
class Stories260KReferenceTest {

    static LanguageModel load(String format) {
        return format.equals("hf") ? LanguageModel.load(TestData.STORIES_HF)
                : LanguageModel.load(TestData.STORIES.resolve("stories260K.bin"));
    }

    @ParameterizedTest
    @CsvSource({"hf,once_upon_a_time", "hf,bos_greedy256", "llama2c,once_upon_a_time", "llama2c,bos_greedy256"})
    void logitsAndResidualsMatchRunC(String format, String reference) {
        Path ref = TestData.STORIES_REF;
        int[] prompt = TestData.idsAfter(ref.resolve(reference + ".tokens.txt"), "prompt_tokens");
        int[] greedy = TestData.idsAfter(ref.resolve(reference + ".tokens.txt"), "greedy_tokens");
        float[] expected = TestData.readF32(ref.resolve(reference + ".logits.f32"));
        int rows = expected.length / 512;
        int[] seq = new int[rows];
        for (int i = 0; i < rows; i++) {
            seq[i] = i < prompt.length ? prompt[i] : greedy[i - prompt.length];
        }
        TestData.Npy resid = TestData.readNpy(ref.resolve(reference + ".resid_hf_float64.npy"));
        try (LanguageModel lm = load(format); NDManager scope = lm.model().manager().newSubManager()) {
            Hooks hooks = new Hooks();
            CaptureHook[] captures = new CaptureHook[6];
            captures[0] = new CaptureHook(TokenScope.ALL);
            hooks.add(HookPoint.EMBED, captures[0]);
            for (int l = 0; l < 5; l++) {
                captures[l + 1] = new CaptureHook(TokenScope.ALL);
                hooks.add(HookPoint.residPost(l), captures[l + 1]);
            }
            NDArray logits = lm.model().forward(scope, TokenBatch.rightPadded(List.of(seq), 0, null), null, hooks,
                    DecoderModel.Logits.ALL);
            float[] got = logits.toFloatArray();
            assertEquals(expected.length, got.length);
            assertTrue(maxAbsDiff(expected, got) <= 1e-4, "logits max abs error " + maxAbsDiff(expected, got));

            int t = (int) resid.shape()[1];
            assertEquals(rows, t);
            double worst = 0;
            for (int p = 0; p < 6; p++) {
                float[][] cap = captures[p].row(0);
                for (int i = 0; i < t; i++) {
                    for (int d = 0; d < 64; d++) {
                        worst = Math.max(worst, Math.abs(cap[i][d] - resid.data()[(p * t + i) * 64 + d]));
                    }
                }
            }
            assertTrue(worst <= 1e-4, "residual max abs error " + worst);
        }
    }

    @ParameterizedTest
    @CsvSource({"hf,once_upon_a_time", "hf,bos_greedy256", "llama2c,once_upon_a_time", "llama2c,bos_greedy256"})
    void greedyTokensMatchRunC(String format, String reference) {
        Path ref = TestData.STORIES_REF.resolve(reference + ".tokens.txt");
        int[] prompt = TestData.idsAfter(ref, "prompt_tokens");
        int[] greedy = TestData.idsAfter(ref, "greedy_tokens");
        try (LanguageModel lm = load(format)) {
            Generation g = new Generator(lm).generate(List.of(prompt), SamplingParams.greedy(greedy.length), Hooks.NONE).get(0);
            assertArrayEquals(greedy, g.tokenIds(), "got " + Arrays.toString(g.tokenIds()));
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
