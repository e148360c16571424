package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;

/**
 * The standard SAE (Bricken et al. 2023): z = ReLU(pre), trained with an L1 penalty λ·Σ|z| per token
 * (decoder rows are kept at unit norm, so the penalty cannot be dodged by shrinking z). λ is
 * {@code l1_coefficient} in cfg.json (default 5). Registered as "standard", as in SAELens.
 */
public final class StandardSae extends Sae {
    /** λ when cfg.json gives no l1_coefficient. */
    public static final double DEFAULT_L1 = 5.0;

    public StandardSae(SaeConfig config, NDManager parent) {
        super(config, parent);
        allocate();
    }

    public double l1Coefficient() {
        Object v = config.extra.get("l1_coefficient");
        return v instanceof Number n ? n.doubleValue() : DEFAULT_L1;
    }

    @Override
    public NDArray encode(NDArray x) {
        return Activation.relu(preActivations(x));
    }

    @Override
    public NDArray trainingLatents(NDArray pre) {
        return Activation.relu(pre);
    }

    @Override
    public NDArray sparsityPenalty(NDArray z) {
        return z.sum(new int[] {1}).mean().mul((float) l1Coefficient());
    }
}
