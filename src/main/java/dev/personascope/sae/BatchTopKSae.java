package dev.personascope.sae;

import dev.personascope.util.NdArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;

/**
 * BatchTopK SAE (Bussmann et al. 2024): in training, the k·B largest pre-activations of a batch of B
 * tokens are kept (so tokens use k latents on average, not exactly). For inference it becomes a
 * JumpReLU SAE with one global threshold: the running mean of the smallest kept activation, as
 * SAELens saves it. Registered as "batchtopk".
 */
public final class BatchTopKSae extends TopKSae {
    private double thresholdSum;
    private long thresholdCount;

    public BatchTopKSae(SaeConfig config, NDManager parent) {
        super(config, parent, true);
    }

    @Override
    public NDArray trainingLatents(NDArray pre) {
        long b = pre.getShape().get(0);
        NDArray flat = Activation.relu(pre).reshape(1, -1);
        NDArray kept = TopKSae.topK(flat, (int) Math.min(flat.getShape().get(1), (long) config.k * b));
        NDArray z = kept.reshape(pre.getShape());
        NDArray positive = z.stopGradient();
        float[] values = positive.toFloatArray();
        float min = Float.MAX_VALUE;
        for (float v : values) {
            if (v > 0 && v < min) {
                min = v;
            }
        }
        if (min < Float.MAX_VALUE) {
            thresholdSum += min;
            thresholdCount++;
        }
        return z;
    }

    /** k per token on average only (the batch chooses), so it trains with the dense loss. */
    @Override
    public boolean keepsKPerToken() {
        return false;
    }

    /** The learned global threshold (mean smallest kept activation over training). */
    public double threshold() {
        return thresholdCount == 0 ? 0 : thresholdSum / thresholdCount;
    }

    @Override
    public NDArray encode(NDArray x) {
        NDArray pre = preActivations(x);
        return pre.mul(pre.gt((float) threshold()));
    }

    /** A JumpReLU SAE with the same weights and the learned threshold for every latent. */
    @Override
    public Sae forSaving() {
        SaeConfig c = config.copy();
        c.architecture = "jumprelu";
        JumpReluSae j = new JumpReluSae(c, manager.getParentManager());
        for (String name : new String[] {"W_enc", "b_enc", "W_dec", "b_dec"}) {
            NdArrays.overwrite(j.parameters().get(name), params.get(name));
        }
        float[] t = new float[c.dSae];
        java.util.Arrays.fill(t, (float) threshold());
        NdArrays.overwrite(j.threshold(), t);
        return j;
    }
}
