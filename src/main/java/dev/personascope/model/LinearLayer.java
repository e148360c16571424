package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/** A projection y = x W^T + b with W [out, in] as stored by Hugging Face; the place LoRA attaches. */
public final class LinearLayer {
    private final String name;
    private NDArray weight;
    private final NDArray bias;

    public LinearLayer(String name, NDArray weight, NDArray bias) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
    }

    /** x [..., in] -> [..., out]; the result lives in x's manager. */
    public NDArray forward(NDArray x) {
        return bias == null ? Linear.linear(x, weight).singletonOrThrow() : Linear.linear(x, weight, bias).singletonOrThrow();
    }

    public String name() {
        return name;
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }
}
