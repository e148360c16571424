package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;

/**
 * TopK SAE (Gao et al. 2024, "Scaling and evaluating sparse autoencoders"): z = ReLU(TopK(pre)), the k
 * largest pre-activations of each token kept and the rest zeroed. Registered as "topk".
 */
public class TopKSae extends Sae {
    /** For subclasses that allocate differently. */
    protected TopKSae(SaeConfig config, NDManager parent, boolean allocate) {
        super(config, parent);
        if (allocate) {
            allocate();
        }
    }

    public TopKSae(SaeConfig config, NDManager parent) {
        super(config, parent);
        allocate();
    }

    @Override
    public NDArray encode(NDArray x) {
        return topK(preActivations(x), config.k);
    }

    @Override
    public NDArray trainingLatents(NDArray pre) {
        return topK(pre, config.k);
    }

    @Override
    public boolean keepsKPerToken() {
        return true;
    }

    @Override
    public boolean usesAuxK() {
        return true;
    }

    /** Keeps the k largest entries of each row (then ReLU), zeroes the others; differentiable in the kept values. */
    static NDArray topK(NDArray pre, int k) {
        NDList top = pre.topK(k, -1, true, false); // values, indices
        NDArray values = Activation.relu(top.get(0));
        NDArray indices = top.get(1);
        return pre.zerosLike().scatter(indices, values, -1);
    }
}
