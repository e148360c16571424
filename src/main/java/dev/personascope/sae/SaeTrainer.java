package dev.personascope.sae;

import dev.personascope.util.NdArrays;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.personascope.optim.AdamW;
import dev.personascope.optim.Autograd;
import dev.personascope.util.ProgressBar;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains an SAE (TopK, BatchTopK or standard ReLU + L1) as Gao et al. (2024) train TopK SAEs: decoder rows initialised as random unit vectors and the
 * encoder as their transpose, b_dec at the mean of a data sample, loss = ‖x − x̂‖² (summed over
 * dimensions, averaged over tokens) + the architecture's sparsity penalty (L1 for ReLU SAEs) + α·AuxK
 * (TopK kinds), where AuxK reconstructs the residual x − x̂ from the
 * k_aux largest pre-activations of dead latents (no firing in the last {@code deadAfterTokens}
 * tokens). After each backward pass the gradient component parallel to each decoder row is removed,
 * and after each Adam step the rows are renormalised to unit norm. The learning rate warms up
 * linearly and decays linearly to zero over the last 20% of steps.
 */
public final class SaeTrainer {
    /** Training knobs. */
    public static final class Settings {
        public long tokens = 2_000_000;
        public int batch = 1024;
        public double lr = 4e-4;
        public int warmupSteps = 100;
        public double auxAlpha = 1.0 / 32;
        public int auxK = 0; // 0: d_in / 2
        public long deadAfterTokens = 1_000_000;
        public long seed = 0;
    }

    /** What the run did: steps, final loss, fraction of variance unexplained on the last batch, dead fraction. */
    public record Result(int steps, double loss, double fvu, double deadFraction) {
    }

    private final Sae sae;
    private final Settings s;
    private final long[] tokensSinceFired;

    public SaeTrainer(Sae sae, Settings settings) {
        this.sae = sae;
        this.s = settings;
        this.tokensSinceFired = new long[sae.config().dSae];
    }

    /** Random unit decoder rows, encoder = decoder transpose, b_enc 0, b_dec = mean of {@code sample} [n, d_in]. */
    public void initialise(float[] sample) {
        SaeConfig c = sae.config();
        Engine.getEngine("PyTorch").setRandomSeed((int) s.seed);
        try (NDManager m = sae.manager().newSubManager()) {
            NDArray raw = m.randomNormal(new Shape(c.dSae, c.dIn));
            NDArray dec = raw.div(raw.norm(new int[] {1}, true));
            NdArrays.overwrite(sae.wDec(), dec);
            NdArrays.overwrite(sae.wEnc(), dec.transpose());
        }
        int n = sample.length / c.dIn;
        float[] mean = new float[c.dIn];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < c.dIn; d++) {
                mean[d] += sample[i * c.dIn + d] / n;
            }
        }
        NdArrays.overwrite(sae.bDec(), mean);
    }

    public Result train(ActivationSource data, boolean progress) {
        SaeConfig c = sae.config();
        int steps = (int) Math.max(1, s.tokens / s.batch);
        int auxK = s.auxK > 0 ? s.auxK : Math.max(1, c.dIn / 2);
        Map<String, NDArray> params = new LinkedHashMap<>(sae.parameters());
        params.values().forEach(p -> p.setRequiresGradient(true));
        double loss = Double.NaN;
        double fvu = Double.NaN;
        try (AdamW opt = new AdamW(sae.manager(), 0.9, 0.999, 1e-8, 0.0);
             ProgressBar bar = progress ? new ProgressBar("sae train", steps, "steps") : null) {
            for (int step = 1; step <= steps; step++) {
                float[] batch = data.next(s.batch);
                try (NDManager scope = sae.manager().newSubManager()) {
                    NDArray x = scope.create(batch, new Shape(s.batch, c.dIn));
                    NDArray fired;
                    NDArray lossArray;
                    NDArray mse;
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray pre = sae.preActivations(x);
                        NDArray z = sae.trainingLatents(pre);
                        NDArray xHat = sae.decode(z);
                        NDArray err = x.sub(xHat);
                        mse = err.square().sum(new int[] {1}).mean();
                        lossArray = mse;
                        fired = z.gt(0).sum(new int[] {0}); // tokens on which each latent fired
                        NDArray penalty = sae.sparsityPenalty(z);
                        if (penalty != null) {
                            lossArray = lossArray.add(penalty);
                        }
                        NDArray dead = sae.usesAuxK() ? deadMask(scope) : null;
                        if (dead != null) {
                            // AuxK: the dead latents' top-k_aux pre-activations reconstruct the residual
                            NDArray deadPre = pre.mul(dead).add(dead.sub(1f).mul(1e9f));
                            NDArray zAux = TopKSae.topK(deadPre, Math.min(auxK, c.dSae));
                            NDArray eHat = zAux.matMul(sae.wDec());
                            NDArray target = err.stopGradient();
                            NDArray aux = target.sub(eHat).square().sum(new int[] {1}).mean();
                            lossArray = lossArray.add(aux.mul((float) s.auxAlpha));
                        }
                        gc.backward(lossArray);
                    }
                    loss = lossArray.getFloat();
                    double variance = x.sub(x.mean(new int[] {0})).square().sum(new int[] {1}).mean().getFloat();
                    fvu = mse.getFloat() / variance;
                    updateDead(fired.toType(DataType.INT64, false).toLongArray());
                    double lr = lr(step, steps);
                    Map<String, NDArray> grads = new LinkedHashMap<>();
                    Autograd.noGrad(() -> {
                        for (Map.Entry<String, NDArray> e : params.entrySet()) {
                            NDArray g = e.getValue().getGradient();
                            g.attach(scope);
                            grads.put(e.getKey(), g);
                        }
                        removeParallelComponent(grads.get("W_dec"));
                        opt.update(params, grads, lr);
                        NDArray w = sae.wDec();
                        NDArray norms = w.norm(new int[] {1}, true);
                        norms.attach(scope);
                        w.divi(norms);
                        grads.values().forEach(g -> g.muli(0f));
                    });
                }
                if (bar != null) {
                    bar.status(String.format(java.util.Locale.ROOT, "loss %.4f  fvu %.3f", loss, fvu));
                    bar.set(step);
                }
            }
        } finally {
            params.values().forEach(p -> p.setRequiresGradient(false));
        }
        return new Result(steps, loss, fvu, deadFraction());
    }

    /** g ← g − (g·w) w for each decoder row w (unit norm), so Adam moves along the unit sphere. */
    private void removeParallelComponent(NDArray g) {
        NDArray w = sae.wDec();
        NDArray along = g.mul(w).sum(new int[] {1}, true);
        along.attach(g.getManager());
        NDArray parallel = along.mul(w);
        g.subi(parallel);
    }

    /** [d_sae] 1 for latents dead now, or null when none is. */
    private NDArray deadMask(NDManager scope) {
        float[] m = new float[tokensSinceFired.length];
        boolean any = false;
        for (int i = 0; i < m.length; i++) {
            if (tokensSinceFired[i] >= s.deadAfterTokens) {
                m[i] = 1f;
                any = true;
            }
        }
        return any ? scope.create(m) : null;
    }

    private void updateDead(long[] firedCounts) {
        for (int i = 0; i < firedCounts.length; i++) {
            tokensSinceFired[i] = firedCounts[i] > 0 ? 0 : tokensSinceFired[i] + s.batch;
        }
    }

    public double deadFraction() {
        int dead = 0;
        for (long t : tokensSinceFired) {
            if (t >= s.deadAfterTokens) {
                dead++;
            }
        }
        return (double) dead / tokensSinceFired.length;
    }

    private double lr(int step, int steps) {
        if (step <= s.warmupSteps) {
            return s.lr * step / s.warmupSteps;
        }
        int decayStart = (int) (0.8 * steps);
        return step <= decayStart ? s.lr : s.lr * (steps - step) / Math.max(1, steps - decayStart);
    }
}
