package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.CaptureHook;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.ReplaceHook;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.optim.Autograd;
import dev.personascope.data.ChatEncoder;
import dev.personascope.optim.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An SAE's quality on a model's activations: fraction of variance unexplained (Σ‖x − x̂‖² / Σ‖x − x̄‖²),
 * mean L0, the fraction of latents that never fire, and the next-token loss with the reconstruction
 * spliced in at the hook, against the clean model and against zero-ablation:
 * CE loss recovered = (CE_zero − CE_sae) / (CE_zero − CE_clean).
 */
public final class SaeMetrics {
    /** The measured figures. */
    public record Report(long tokens, double fvu, double l0, double deadFraction, double ceClean, double ceSae,
                         double ceZero, float[] firingFraction) {
        public double ceRecovered() {
            return (ceZero - ceSae) / (ceZero - ceClean);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "tokens %d  FVU %.4f  L0 %.1f  dead %.2f%%  CE clean %.4f  with SAE %.4f  zero-ablated %.4f  recovered %.1f%%",
                    tokens, fvu, l0, 100 * deadFraction, ceClean, ceSae, ceZero, 100 * ceRecovered());
        }
    }

    private SaeMetrics() {
    }

    public static Report evaluate(LanguageModel lm, Sae sae, String hook, List<int[]> sequences, int batchSize) {
        if (sae.config().dIn != lm.config().hiddenSize) {
            throw new IllegalArgumentException("the SAE's d_in is " + sae.config().dIn + ", but the model's activations at "
                    + hook + " are " + lm.config().hiddenSize + " wide");
        }
        double[] sums = new double[1]; // summed squared reconstruction error
        List<float[]> acts = new ArrayList<>();
        long[] fired = new long[sae.config().dSae];
        double[] l0 = {0};
        long[] tokens = {0};
        double[] ce = new double[3];
        int[] targets = {0};
        DecoderModel model = lm.model();
        Autograd.noGrad(() -> {
            for (int start = 0; start < sequences.size(); start += batchSize) {
                List<int[]> batch = sequences.subList(start, Math.min(sequences.size(), start + batchSize));
                List<ChatEncoder.Encoded> encoded = new ArrayList<>();
                for (int[] ids : batch) {
                    boolean[] t = new boolean[ids.length];
                    java.util.Arrays.fill(t, 1, ids.length, true);
                    encoded.add(new ChatEncoder.Encoded(ids, t));
                }
                try (NDManager scope = model.manager().newSubManager()) {
                    CaptureHook cap = new CaptureHook(TokenScope.ALL);
                    LossFunctions.Sum clean = LossFunctions.targetNll(model, scope, encoded, new Hooks().add(hook, cap));
                    ce[0] += clean.loss().getFloat();
                    targets[0] += clean.targets();
                    UnaryOperator<NDArray> splice = x -> {
                        Shape s = x.getShape();
                        return sae.reconstruct(x.reshape(-1, s.get(2))).reshape(s);
                    };
                    ce[1] += LossFunctions.targetNll(model, scope, encoded,
                            new Hooks().add(hook, new ReplaceHook(splice, TokenScope.ALL))).loss().getFloat();
                    ce[2] += LossFunctions.targetNll(model, scope, encoded,
                            new Hooks().add(hook, new ReplaceHook(NDArray::zerosLike, TokenScope.ALL))).loss().getFloat();
                    float[][] x = cap.all();
                    int d = sae.config().dIn;
                    float[] flat = new float[x.length * d];
                    for (int i = 0; i < x.length; i++) {
                        System.arraycopy(x[i], 0, flat, i * d, d);
                    }
                    NDArray xs = scope.create(flat, new Shape(x.length, d));
                    NDArray z = sae.encode(xs);
                    NDArray xHat = sae.decode(z);
                    sums[0] += xs.sub(xHat).square().sum().getFloat();
                    l0[0] += z.gt(0).sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                    long[] f = z.gt(0).sum(new int[] {0}).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
                    for (int j = 0; j < f.length; j++) {
                        fired[j] += f[j];
                    }
                    tokens[0] += x.length;
                    for (float[] v : x) {
                        acts.add(v);
                    }
                }
            }
        });
        // total variance around the mean activation
        int d = sae.config().dIn;
        double[] mean = new double[d];
        for (float[] v : acts) {
            for (int j = 0; j < d; j++) {
                mean[j] += v[j] / acts.size();
            }
        }
        double var = 0;
        for (float[] v : acts) {
            for (int j = 0; j < d; j++) {
                var += (v[j] - mean[j]) * (v[j] - mean[j]);
            }
        }
        int dead = 0;
        for (long f : fired) {
            dead += f == 0 ? 1 : 0;
        }
        float[] firing = new float[fired.length];
        for (int j = 0; j < fired.length; j++) {
            firing[j] = (float) fired[j] / tokens[0];
        }
        return new Report(tokens[0], sums[0] / var, l0[0] / tokens[0], (double) dead / fired.length,
                ce[0] / targets[0], ce[1] / targets[0], ce[2] / targets[0], firing);
    }
}
