package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The loss of any trainable SAE computed densely: z [B, d_sae] from the architecture, x̂ = z W_dec + b_dec as a dense
 * matmul, the sparsity penalty, and (TopK kinds) α·AuxK, the residual x − x̂ reconstructed from the k_aux largest
 * pre-activations of dead latents. Autograd then runs the dense backward of both matmuls: 12·d_in·d_sae FLOPs per
 * token in all. The reference {@link SparseTopKLoss} must agree with.
 */
final class DenseLoss implements LossComputation {
    private final Sae sae;
    private final int auxK;
    private final double auxAlpha;

    DenseLoss(Sae sae, int auxK, double auxAlpha) {
        this.sae = sae;
        this.auxK = auxK;
        this.auxAlpha = auxAlpha;
    }

    @Override
    public BatchLoss compute(NDManager scope, NDArray x, long[] deadLatents) {
        int dSae = sae.config().dSae;
        NDArray pre = sae.preActivations(x);
        NDArray z = sae.trainingLatents(pre);
        NDArray xHat = sae.decode(z);
        NDArray err = x.sub(xHat);
        NDArray mse = LossComputation.meanSquaredNorm(err);
        NDArray loss = mse;
        long[] fired = z.gt(0).sum(new int[] {0}).toType(DataType.INT64, false).toLongArray();
        NDArray penalty = sae.sparsityPenalty(z);
        if (penalty != null) {
            loss = loss.add(penalty);
        }
        if (deadLatents.length > 0) {
            float[] mask = new float[dSae];
            for (long j : deadLatents) {
                mask[(int) j] = 1f;
            }
            NDArray dead = scope.create(mask);
            // AuxK: the dead latents' top-k_aux pre-activations reconstruct the residual (the others pushed to -1e9)
            NDArray deadPre = pre.mul(dead).add(dead.sub(1f).mul(1e9f));
            NDArray zAux = TopKSae.topK(deadPre, Math.min(auxK, dSae));
            NDArray eHat = zAux.matMul(sae.wDec());
            NDArray aux = LossComputation.meanSquaredNorm(err.stopGradient().sub(eHat));
            loss = loss.add(aux.mul((float) auxAlpha));
        }
        return new BatchLoss(loss, mse, fired);
    }
}
