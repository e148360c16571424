package dev.personascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/**
 * A projection y = x Wᵀ + b with W [out, in] (Hugging Face's nn.Linear layout), plus an optional
 * adapter. GPT-2's Conv1D weights are stored [in, out] in the checkpoint; they are transposed when
 * loaded and {@link #storedTransposed()} says so, for saving and for PEFT's {@code fan_in_fan_out}.
 */
public final class LinearLayer {
    private final String name;
    private final NDArray weight;
    private final NDArray bias;
    private final boolean storedTransposed;
    private LinearAdapter adapter;

    public LinearLayer(String name, NDArray weight, NDArray bias) {
        this(name, weight, bias, false);
    }

    public LinearLayer(String name, NDArray weight, NDArray bias, boolean storedTransposed) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.storedTransposed = storedTransposed;
    }

    /** x [..., in] -> [..., out], plus the adapter's change when one is attached; in x's manager. */
    public NDArray forward(NDArray x) {
        if (adapter == null) {
            return bias == null ? Linear.linear(x, weight).singletonOrThrow() : Linear.linear(x, weight, bias).singletonOrThrow();
        }
        NDArray base = Linear.linear(x, weight).singletonOrThrow();
        NDArray y = base.add(adapter.delta(x, base, weight));
        return bias == null ? y : y.add(bias);
    }

    public LinearAdapter adapter() {
        return adapter;
    }

    public void setAdapter(LinearAdapter adapter) {
        this.adapter = adapter;
    }

    /** The module name, e.g. {@code model.layers.0.self_attn.q_proj}. */
    public String name() {
        return name;
    }

    /** The last part of the module name, e.g. {@code q_proj}. */
    public String moduleName() {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public boolean storedTransposed() {
        return storedTransposed;
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }
}
