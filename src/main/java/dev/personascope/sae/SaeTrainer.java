package dev.personascope.sae;

import dev.personascope.util.NdArrays;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * linearly and decays linearly to zero over the last 20% of steps. A TopK SAE's loss is computed sparsely
 * ({@link SparseTopKLoss}: only the k kept latents of each token are decoded and backpropagated), the others' densely
 * ({@link DenseLoss}); both give the same gradients.
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
        /**
         * TopK SAEs (not BatchTopK or standard ones): the sparse decoder and encoder backward of {@link SparseTopKLoss}
         * (same gradients, a fraction of the FLOPs); false takes the dense reference path, {@link DenseLoss}.
         */
        public boolean sparseTopK = true;
    }

    /**
     * What the run did: steps, final loss, fraction of variance unexplained on the last batch, dead fraction, and the
     * fraction of the wall time spent in training steps (the rest waited for activations).
     */
    public record Result(int steps, double loss, double fvu, double deadFraction, double busyFraction) {
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

    /** Whether this run takes the sparse loss: TopK (exactly k per token) and {@link Settings#sparseTopK}. */
    public boolean sparseLoss() {
        return s.sparseTopK && sae.keepsKPerToken();
    }

    public Result train(ActivationSource data, boolean progress) {
        SaeConfig c = sae.config();
        int steps = (int) Math.max(1, s.tokens / s.batch);
        int auxK = s.auxK > 0 ? s.auxK : Math.max(1, c.dIn / 2);
        LossComputation lossOf = sparseLoss() ? new SparseTopKLoss(sae, auxK, s.auxAlpha) : new DenseLoss(sae, auxK, s.auxAlpha);
        Map<String, NDArray> params = new LinkedHashMap<>(sae.parameters());
        params.values().forEach(p -> p.setRequiresGradient(true));
        double loss = Double.NaN;
        double fvu = Double.NaN;
        long started = System.nanoTime();
        long busyNanos = 0; // in training steps, not waiting for data
        try (AdamW opt = new AdamW(sae.manager(), 0.9, 0.999, 1e-8, 0.0);
             ProgressBar bar = progress ? new ProgressBar("sae train", steps, "steps") : null) {
            for (int step = 1; step <= steps; step++) {
                float[] batch = data.next(s.batch);
                long stepStarted = System.nanoTime();
                try (NDManager scope = sae.manager().newSubManager()) {
                    NDArray x = scope.create(batch, new Shape(s.batch, c.dIn));
                    BatchLoss b;
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        b = lossOf.compute(scope, x, sae.usesAuxK() ? deadLatents() : new long[0]);
                        gc.backward(b.loss());
                    }
                    loss = b.loss().getFloat();
                    double variance = LossComputation.meanSquaredNorm(x.sub(x.mean(new int[] {0}))).getFloat();
                    fvu = b.mse().getFloat() / variance;
                    updateDead(b.fired());
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
                busyNanos += System.nanoTime() - stepStarted;
                if (bar != null) {
                    bar.status(String.format(java.util.Locale.ROOT, "loss %.4f  fvu %.3f", loss, fvu));
                    bar.set(step);
                }
            }
        } finally {
            params.values().forEach(p -> p.setRequiresGradient(false));
        }
        double busyFraction = busyNanos / (double) Math.max(1, System.nanoTime() - started);
        return new Result(steps, loss, fvu, deadFraction(), busyFraction);
    }

    /** g ← g − (g·w) w for each decoder row w (unit norm), so Adam moves along the unit sphere. */
    private void removeParallelComponent(NDArray g) {
        NDArray w = sae.wDec();
        long rows = w.getShape().get(0);
        // g·w per row as a batched [1, d_in]·[d_in, 1] product: no [d_sae, d_in] temporary
        NDArray column = w.expandDims(2); // a view, made in the SAE's manager
        column.attach(g.getManager());
        NDArray along = g.expandDims(1).batchMatMul(column).reshape(rows, 1);
        NDArray parallel = along.mul(w);
        g.subi(parallel);
    }

    /** The latents dead now (no firing in the last deadAfterTokens tokens), ascending. */
    private long[] deadLatents() {
        return java.util.stream.IntStream.range(0, tokensSinceFired.length).filter(i -> tokensSinceFired[i] >= s.deadAfterTokens)
                .asLongStream().toArray();
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
