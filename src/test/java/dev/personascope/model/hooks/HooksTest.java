package dev.personascope.model.hooks;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.personascope.generate.Generation;
import dev.personascope.generate.Generator;
import dev.personascope.generate.SamplingParams;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.testutil.TinyModels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HooksTest {
    static final int[] SEQ = {7, 1, 4, 90, 33, 33, 12, 5};
    static final int D = 32;

    static float[] randomVector(long seed) {
        Random r = new Random(seed);
        float[] v = new float[D];
        for (int i = 0; i < D; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void addingZeroChangesNothing() {
        try (LanguageModel lm = TinyModels.qwen2(31)) {
            float[][] clean = TinyModels.logits(lm, SEQ, Hooks.NONE);
            Hooks hooks = new Hooks();
            for (String p : HookPoint.all(lm.config().numLayers)) {
                hooks.add(p, new AddHook(new float[D], 1f, TokenScope.ALL));
            }
            float[][] hooked = TinyModels.logits(lm, SEQ, hooks);
            for (int i = 0; i < SEQ.length; i++) {
                assertArrayEquals(clean[i], hooked[i], 0f);
            }
        }
    }

    @Test
    void addingAtALayerEqualsRunningTheRestOnTheModifiedResidual() {
        float[] v = randomVector(1);
        try (LanguageModel lm = TinyModels.qwen2(32)) {
            for (int layer = 0; layer < lm.config().numLayers; layer++) {
                // 1. the clean residual after block L, read out to Java
                CaptureHook cap = new CaptureHook(TokenScope.ALL);
                TinyModels.logits(lm, SEQ, new Hooks().add(HookPoint.residPost(layer), cap));
                float[][] resid = cap.row(0);
                float[] modified = new float[SEQ.length * D];
                for (int t = 0; t < SEQ.length; t++) {
                    for (int d = 0; d < D; d++) {
                        modified[t * D + d] = resid[t][d] + 2.5f * v[d];
                    }
                }
                // 2. the rest of the model run on that residual, substituted wholesale
                Hooks substitute = new Hooks().add(HookPoint.residPost(layer), new ReplaceHook(
                        x -> x.getManager().create(modified, x.getShape()), TokenScope.ALL));
                float[][] expected = TinyModels.logits(lm, SEQ, substitute);
                // 3. the steering hook
                float[][] steered = TinyModels.logits(lm, SEQ,
                        new Hooks().add(HookPoint.residPost(layer), new AddHook(v, 2.5f, TokenScope.ALL)));
                assertTrue(TinyModels.maxAbsDiff(expected, steered) < 1e-5, "layer " + layer);
                assertTrue(TinyModels.maxAbsDiff(expected, TinyModels.logits(lm, SEQ, Hooks.NONE)) > 1e-3,
                        "the steering vector must matter at layer " + layer);
            }
        }
    }

    @Test
    void aForwardWithoutLogitsStopsAfterTheLastHookedLayerWithTheSameActivations() {
        try (LanguageModel lm = TinyModels.qwen2(35)) {
            int layers = lm.config().numLayers;
            for (String point : List.of(HookPoint.EMBED, HookPoint.residPre(0), HookPoint.residPost(1),
                    HookPoint.mlpOut(layers - 1), HookPoint.LN_FINAL)) {
                CaptureHook full = new CaptureHook(TokenScope.ALL);
                TinyModels.logits(lm, SEQ, new Hooks().add(point, full));
                CaptureHook early = new CaptureHook(TokenScope.ALL);
                CaptureHook alsoEarlier = new CaptureHook(TokenScope.ALL);
                try (NDManager scope = lm.model().manager().newSubManager()) {
                    lm.model().forward(scope, TokenBatch.leftPadded(List.of(SEQ), 0), null,
                            new Hooks().add(point, early).add(HookPoint.EMBED, alsoEarlier), DecoderModel.Logits.NONE);
                }
                assertEquals(SEQ.length, early.all().length, point);
                for (int i = 0; i < SEQ.length; i++) {
                    assertArrayEquals(full.all()[i], early.all()[i], point + " token " + i);
                }
                assertEquals(SEQ.length, alsoEarlier.all().length, point);
            }
        }
    }

    @Test
    void projectingOutLeavesNoComponentAlongTheDirection() {
        float[] d = randomVector(2);
        float[] unit = Directions.normalized(d);
        try (LanguageModel lm = TinyModels.qwen2(33)) {
            CaptureHook before = new CaptureHook(TokenScope.ALL);
            CaptureHook after = new CaptureHook(TokenScope.ALL);
            Hooks hooks = new Hooks().add(HookPoint.residMid(1), before)
                    .add(HookPoint.residMid(1), new ProjectOutHook(d, TokenScope.ALL))
                    .add(HookPoint.residMid(1), after);
            TinyModels.logits(lm, SEQ, hooks);
            for (int t = 0; t < SEQ.length; t++) {
                double along = dot(after.row(0)[t], unit);
                double was = dot(before.row(0)[t], unit);
                assertTrue(Math.abs(along) < 1e-5, "component left: " + along);
                // and nothing else moved: after = before - (before·d̂) d̂
                for (int k = 0; k < D; k++) {
                    assertEquals(before.row(0)[t][k] - was * unit[k], after.row(0)[t][k], 1e-5);
                }
            }
        }
    }

    @Test
    void captureDuringGenerationSeparatesPromptAndResponseTokens() {
        try (LanguageModel lm = TinyModels.qwen2(34)) {
            CaptureHook prompt = new CaptureHook(TokenScope.PROMPT);
            CaptureHook response = new CaptureHook(TokenScope.RESPONSE);
            CaptureHook all = new CaptureHook(TokenScope.ALL);
            Hooks hooks = new Hooks().add(HookPoint.residPost(2), prompt).add(HookPoint.residPost(2), response)
                    .add(HookPoint.residPost(2), all);
            List<int[]> prompts = List.of(new int[] {1, 2, 3, 4, 5}, new int[] {6, 7});
            List<Generation> gens = new Generator(lm).generate(prompts, SamplingParams.greedy(6), hooks);
            for (int b = 0; b < 2; b++) {
                assertEquals(prompts.get(b).length, prompt.row(b).length, "padding is never captured");
                // every generated token but the last is fed back through the model
                assertEquals(gens.get(b).tokenIds().length - 1, response.row(b).length);
                assertEquals(prompt.row(b).length + response.row(b).length, all.row(b).length);
                int[] pos = all.positions(b);
                for (int i = 0; i < pos.length; i++) {
                    assertEquals(i, pos[i], "positions count real tokens only");
                }
            }
            // the captured prompt activations equal those of a plain forward of the prompt alone
            CaptureHook plain = new CaptureHook(TokenScope.ALL);
            TinyModels.logits(lm, prompts.get(1), new Hooks().add(HookPoint.residPost(2), plain));
            for (int t = 0; t < 2; t++) {
                assertArrayEquals(plain.row(0)[t], prompt.row(1)[t], 1e-5f);
            }
        }
    }

    @Test
    void steeringOnlyResponseTokensLeavesThePromptUntouched() {
        float[] v = randomVector(3);
        try (LanguageModel lm = TinyModels.qwen2(35)) {
            CaptureHook clean = new CaptureHook(TokenScope.PROMPT);
            CaptureHook steered = new CaptureHook(TokenScope.PROMPT);
            int[] prompt = {3, 4, 5};
            Generator g = new Generator(lm);
            g.generate(List.of(prompt), SamplingParams.greedy(4), new Hooks().add(HookPoint.residPost(2), clean));
            g.generate(List.of(prompt), SamplingParams.greedy(4), new Hooks()
                    .add(HookPoint.residPost(0), new AddHook(v, 10f, TokenScope.RESPONSE))
                    .add(HookPoint.residPost(2), steered));
            for (int t = 0; t < prompt.length; t++) {
                assertArrayEquals(clean.row(0)[t], steered.row(0)[t], 0f);
            }
        }
    }

    @Test
    void unknownHookPointsAndWrongWidthsAreClearErrors() {
        try (LanguageModel lm = TinyModels.qwen2(36)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    TinyModels.logits(lm, SEQ, new Hooks().add("blocks.7.hook_resid_post", (x, c) -> x)));
            assertTrue(e.getMessage().contains("layer 7 does not exist"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () ->
                    TinyModels.logits(lm, SEQ, new Hooks().add("blocks.0.resid_post", (x, c) -> x)));
            assertTrue(e.getMessage().contains("unknown hook point 'blocks.0.resid_post'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> TinyModels.logits(lm, SEQ,
                    new Hooks().add(HookPoint.residPost(0), new AddHook(new float[5], 1f, TokenScope.ALL))));
            assertTrue(e.getMessage().contains("5 dimensions, the activation 32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> TinyModels.logits(lm, new int[] {1, 97}, Hooks.NONE));
            assertTrue(e.getMessage().contains("token id 97"), e.getMessage());
        }
    }

    @Test
    void forwardPassesLeaveNoArraysBehind() {
        try (LanguageModel lm = TinyModels.qwen2(37)) {
            BaseNDManager root = (BaseNDManager) lm.model().manager();
            TinyModels.logits(lm, SEQ, Hooks.NONE); // builds the RoPE tables once
            new Generator(lm).generate(List.of(SEQ), SamplingParams.greedy(3), Hooks.NONE);
            int before = root.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                Hooks hooks = new Hooks().add(HookPoint.residPost(1), new AddHook(randomVector(i), 1f, TokenScope.ALL))
                        .add(HookPoint.residPost(1), new CaptureHook(TokenScope.ALL));
                TinyModels.logits(lm, SEQ, hooks);
                new Generator(lm).generate(List.of(SEQ, new int[] {4}), SamplingParams.greedy(5), hooks);
            }
            try (NDManager scope = lm.model().manager().newSubManager()) {
                lm.model().forward(scope, TokenBatch.rightPadded(List.of(SEQ), 0, null), null, Hooks.NONE, DecoderModel.Logits.NONE);
            }
            assertEquals(before, root.getManagedArrays().size());
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
