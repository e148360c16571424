package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import dev.personascope.lora.LoraAdapter;

/** A projection y = x W^T + b with W [out, in] as stored by Hugging Face, plus an optional LoRA update. */
public final class LinearLayer {
    private final String name;
    private final NDArray weight;
    private final NDArray bias;

    public LinearLayer(String name, NDArray weight, NDArray bias) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
    }

    private LoraAdapter lora;

    /** x [..., in] -> [..., out], plus the LoRA update when an adapter is attached; in x's manager. */
    public NDArray forward(NDArray x) {
        NDArray y = bias == null ? Linear.linear(x, weight).singletonOrThrow() : Linear.linear(x, weight, bias).singletonOrThrow();
        return lora == null ? y : y.add(lora.delta(x));
    }

    public LoraAdapter lora() {
        return lora;
    }

    public void setLora(LoraAdapter adapter) {
        this.lora = adapter;
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
