package dev.personascope.testutil;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.RandomModels;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;

import java.util.List;

/** Small random models and helpers to run them in tests. */
public final class TinyModels {
    private TinyModels() {
    }

    /** Qwen2-style: q/k/v bias, tied embeddings, 4 heads sharing 2 KV heads. */
    public static ModelConfig qwen2Config() {
        return RandomModels.qwen2(97, 32, 3, 4, 2, 48);
    }

    public static LanguageModel qwen2(long seed) {
        return RandomModels.create(qwen2Config(), seed);
    }

    /** Logits [T][vocab] of one sequence, no cache. */
    public static float[][] logits(LanguageModel lm, int[] seq, Hooks hooks) {
        try (NDManager scope = lm.model().manager().newSubManager()) {
            NDArray l = lm.model().forward(scope, TokenBatch.rightPadded(List.of(seq), 0, null), null, hooks,
                    DecoderModel.Logits.ALL);
            return rows(l.toFloatArray(), seq.length);
        }
    }

    public static float[][] rows(float[] flat, int n) {
        int v = flat.length / n;
        float[][] out = new float[n][v];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * v, out[i], 0, v);
        }
        return out;
    }

    public static double maxAbsDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return m;
    }
}
