package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * JumpReLU SAE (Rajamanoharan et al. 2024): z = pre · 1[pre &gt; threshold], with a per-latent
 * {@code threshold} [d_sae]. Registered as "jumprelu"; BatchTopK SAEs are saved in this form, as
 * SAELens does. Inference only here.
 */
public final class JumpReluSae extends Sae {
    public JumpReluSae(SaeConfig config, NDManager parent) {
        super(config, parent);
        allocate();
        params.put("threshold", manager.zeros(new Shape(config.dSae)));
    }

    public NDArray threshold() {
        return params.get("threshold");
    }

    @Override
    public NDArray encode(NDArray x) {
        NDArray pre = preActivations(x);
        return pre.mul(pre.gt(threshold()));
    }
}
