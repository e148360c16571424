package dev.personascope.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.personascope.data.ChatEncoder;
import dev.personascope.lora.Lora;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.optim.AdamW;
import dev.personascope.optim.Autograd;
import dev.personascope.optim.LossFunctions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One optimizer step of supervised fine-tuning: forward and backward over the step's micro-batches
 * (each loss divided by the step's total target tokens, so accumulation equals one large batch),
 * global-norm gradient clipping, an AdamW update, and gradients reset.
 */
public final class SftStep {
    private final DecoderModel model;
    private final Map<String, NDArray> params;
    private final AdamW optimizer;
    private final double clip;
    private final long seed;

    /** Mean loss per target token, gradient norm before clipping, tokens and targets processed. */
    public record Stats(double loss, double gradNorm, long tokens, int targets) {
    }

    public SftStep(DecoderModel model, Map<String, NDArray> params, AdamW optimizer, double clip, long seed) {
        this.model = model;
        this.params = params;
        this.optimizer = optimizer;
        this.clip = clip;
        this.seed = seed;
    }

    /**
     * The parameters a config trains, marked as requiring gradients: the LoRA matrices (attaching
     * fresh adapters if the model has none) or every weight.
     */
    public static Map<String, NDArray> trainable(DecoderModel model, TrainConfig cfg) {
        Map<String, NDArray> params;
        if (cfg.isLora()) {
            if (Lora.adapters(model).isEmpty()) {
                Lora.attach(model, cfg.loraConfig(), cfg.seed);
            }
            params = Lora.parameters(model);
        } else {
            if (!Lora.adapters(model).isEmpty()) {
                throw new IllegalArgumentException("full fine-tuning of a model with a LoRA adapter: merge it first");
            }
            if (model.dataType() != ai.djl.ndarray.types.DataType.FLOAT32) {
                throw new IllegalArgumentException("full fine-tuning trains f32 weights: load the model with --dtype f32"
                        + " (the result is saved in the source dtype, or --save-dtype)");
            }
            params = new LinkedHashMap<>(model.weights().named());
        }
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
        return params;
    }

    /**
     * Runs the step. A gradient that is not finite while the loss is (seen rarely on CPU, at random, in
     * both full and LoRA fine-tunes: issue 19's note) is computed once more from the same batch, which gives the
     * gradient an undisturbed run would have had; if it is still not finite the update is skipped, as PyTorch's
     * GradScaler skips the steps whose gradients overflowed, and the log keeps its NaN gradient norm.
     */
    public Stats run(List<List<ChatEncoder.Encoded>> group, double lr, int step) {
        Stats stats = attempt(group, lr, step);
        if (!Double.isFinite(stats.gradNorm()) && Double.isFinite(stats.loss())) {
            System.err.printf(java.util.Locale.ROOT, "step %d: the gradient norm is %s with a finite loss; computing it"
                    + " again%n", step, stats.gradNorm());
            stats = attempt(group, lr, step);
            if (!Double.isFinite(stats.gradNorm())) {
                System.err.printf(java.util.Locale.ROOT, "step %d: the gradient is still not finite; the update is"
                        + " skipped%n", step);
            }
        }
        return stats;
    }

    /** Forward and backward over the step's micro-batches; the update only when the gradient is finite. */
    private Stats attempt(List<List<ChatEncoder.Encoded>> group, double lr, int step) {
        int targets = 0;
        long tokens = 0;
        for (List<ChatEncoder.Encoded> mb : group) {
            for (ChatEncoder.Encoded e : mb) {
                targets += e.targetCount();
                tokens += e.ids().length;
            }
        }
        double lossSum = 0;
        Engine.getEngine("PyTorch").setRandomSeed((int) (seed * 7919 + step)); // LoRA dropout, reproducible on resume
        Lora.setTraining(model, true);
        try (NDManager scope = model.manager().newSubManager()) {
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                for (List<ChatEncoder.Encoded> mb : group) {
                    try (NDManager mbScope = scope.newSubManager()) {
                        LossFunctions.Sum s = LossFunctions.targetNll(model, mbScope, mb, Hooks.NONE);
                        if (s.targets() == 0) {
                            continue;
                        }
                        gc.backward(s.loss().div(targets)); // mean over the whole step's targets
                        lossSum += s.loss().getFloat();
                    }
                }
            } finally {
                Lora.setTraining(model, false);
            }
            double[] norm = new double[1];
            Autograd.noGrad(() -> {
                Map<String, NDArray> grads = new LinkedHashMap<>();
                double sq = 0;
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    NDArray g = e.getValue().getGradient();
                    g.attach(scope);
                    grads.put(e.getKey(), g);
                    sq += g.square().sum().getFloat();
                }
                norm[0] = Math.sqrt(sq);
                if (Double.isFinite(norm[0])) {
                    if (clip > 0 && norm[0] > clip) {
                        float f = (float) (clip / (norm[0] + 1e-6));
                        grads.values().forEach(g -> g.muli(f));
                    }
                    optimizer.update(params, grads, lr);
                }
                // PyTorch accumulates into .grad: reset for the next step (NaN * 0 is NaN, so fill, not scale)
                grads.values().forEach(g -> g.set(new NDIndex("..."), 0f));
            });
            return new Stats(lossSum / Math.max(1, targets), norm[0], tokens, targets);
        }
    }
}
