package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import dev.personascope.optim.Autograd;

/**
 * A TopK SAE's loss with a sparse decoder and encoder backward (as Gao et al. 2024 train theirs): the same loss as
 * {@link DenseLoss}, so the same gradients, without multiplying the d_sae − k zero codes of each token.
 * <ul>
 *   <li>Selection, off the gradient tape: pre = W_encᵀ(x − b_dec) + b_enc densely [B, d_sae] (every latent is needed
 *   to choose), then idx [B, k] = the k largest.</li>
 *   <li>On the tape, for the kept latents only: pre_k[b,i] = (x_b − b_dec)·W_enc[:, idx[b,i]] + b_enc[idx[b,i]],
 *   z_k = ReLU(pre_k), and x̂_b = Σ_i z_k[b,i] W_dec[idx[b,i]] + b_dec. The rows are gathered as embeddings, whose
 *   backward adds into only the k gathered rows (index_add).</li>
 *   <li>AuxK over the dead latents only: the top k_aux of their pre-activations (chosen off the tape from the same
 *   dense pre-activations), recomputed on the tape as a [B, n_dead] matmul, and their decoder rows; in the dense
 *   loss the live latents' entries are −1e9, so they are never chosen or reach zero by ReLU.</li>
 * </ul>
 * FLOPs per token: 2·d_in·d_sae (dense selection) + 12·k·d_in (the gathered rows forward and backward), plus
 * 12·d_in·n_dead for AuxK while latents are dead.
 */
final class SparseTopKLoss implements LossComputation {
    private final Sae sae;
    private final int auxK;
    private final double auxAlpha;

    SparseTopKLoss(Sae sae, int auxK, double auxAlpha) {
        this.sae = sae;
        this.auxK = auxK;
        this.auxAlpha = auxAlpha;
    }

    @Override
    public BatchLoss compute(NDManager scope, NDArray x, long[] deadLatents) {
        SaeConfig c = sae.config();
        NDArray dead = deadLatents.length > 0 ? scope.create(deadLatents) : null; // [n]
        NDArray[] chosen = Autograd.untaped(() -> choose(x, dead)); // idx [B, k] and AuxK positions [B, k_aux] in dead
        NDArray idx = chosen[0];
        NDArray xc = c.applyBDecToInput ? x.sub(sae.bDec()) : x; // [B, d_in]; b_dec gets its encoder gradient here
        // [d_sae, d_in], row j encodes latent j: a contiguous copy (flattening the transposed view copies it), as
        // gathering rows of the strided view itself, and adding into them in the backward, costs ~20x more
        NDArray encoderRows = inScope(sae.wEnc().transpose(), scope).reshape(-1).reshape(c.dSae, c.dIn);
        NDArray encoderBias = inScope(sae.bEnc().reshape(c.dSae, 1), scope); // [d_sae, 1]
        NDArray preK = rows(encoderRows, idx).batchMatMul(xc.expandDims(2)).squeeze(2)
                .add(rows(encoderBias, idx).squeeze(2)); // [B, k]
        NDArray zK = Activation.relu(preK);
        NDArray xHat = zK.expandDims(1).batchMatMul(rows(sae.wDec(), idx)).squeeze(1).add(sae.bDec()); // [B, d_in]
        NDArray err = x.sub(xHat);
        NDArray mse = LossComputation.meanSquaredNorm(err);
        NDArray loss = mse;
        long[] fired = fired(idx, zK, c.dSae);
        if (dead != null) {
            NDArray positions = chosen[1];
            NDArray preDead = xc.matMul(rows(encoderRows, dead).transpose())
                    .add(rows(encoderBias, dead).reshape(-1)); // [B, n]
            NDArray kept = Activation.relu(preDead.gather(positions, 1)); // [B, k_aux]
            NDArray zAux = preDead.zerosLike().scatter(positions, kept, -1);
            NDArray eHat = zAux.matMul(rows(sae.wDec(), dead)); // [B, d_in]
            NDArray aux = LossComputation.meanSquaredNorm(err.stopGradient().sub(eHat));
            loss = loss.add(aux.mul((float) auxAlpha));
        }
        return new BatchLoss(loss, mse, fired);
    }

    /**
     * The latents each token keeps, idx [B, k], and (with dead latents) the positions among them of its k_aux largest
     * dead pre-activations, chosen from the same dense pre-activations as the dense loss computes, so that both choose
     * alike; the dense [B, d_sae] array is freed at once.
     */
    private NDArray[] choose(NDArray x, NDArray dead) {
        SaeConfig c = sae.config();
        NDArray in = c.applyBDecToInput ? x.sub(sae.bDec()) : x;
        try (NDArray pre = in.matMul(sae.wEnc()).addi(sae.bEnc())) { // Sae.preActivations, adding in place (off the tape)
            NDArray idx = indices(pre, sae.config().k);
            if (dead == null) {
                return new NDArray[] {idx, null};
            }
            try (NDArray deadPre = pre.get(new NDIndex(":, {}", dead))) {
                return new NDArray[] {idx, indices(deadPre, (int) Math.min(auxK, dead.size()))};
            }
        }
    }

    /** The indices [B, k] of the k largest entries of each row. */
    private static NDArray indices(NDArray values, int k) {
        NDList top = values.topK(k, -1, true, false);
        top.get(0).close();
        return top.get(1);
    }

    /** table[index] with index's shape + table's row shape; the backward adds into the gathered rows only. */
    private static NDArray rows(NDArray table, NDArray index) {
        return Embedding.embedding(index, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** A view of a parameter made in the parameter's manager, moved into the step's scope so that it is freed with it. */
    private static NDArray inScope(NDArray view, NDManager scope) {
        view.attach(scope);
        return view;
    }

    /** Tokens each latent fired on: kept (in idx) with z_k > 0. */
    private static long[] fired(NDArray idx, NDArray zK, int dSae) {
        long[] latents = idx.toLongArray();
        boolean[] positive = zK.gt(0).toBooleanArray();
        long[] counts = new long[dSae];
        for (int i = 0; i < latents.length; i++) {
            if (positive[i]) {
                counts[(int) latents[i]]++;
            }
        }
        return counts;
    }
}
