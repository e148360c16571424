package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** How {@link SaeTrainer} computes a batch's loss on the gradient tape: {@link DenseLoss} or {@link SparseTopKLoss}. */
interface LossComputation {
    /**
     * @param x            the batch [B, d_in], in {@code scope}
     * @param deadLatents  the latents dead now (AuxK reconstructs the residual from them), ascending; may be empty
     */
    BatchLoss compute(NDManager scope, NDArray x, long[] deadLatents);

    /** ‖e‖² summed over dimensions, averaged over tokens, for errors e [B, d_in]: the reconstruction and AuxK losses. */
    static NDArray meanSquaredNorm(NDArray e) {
        return e.square().sum(new int[] {1}).mean();
    }
}
