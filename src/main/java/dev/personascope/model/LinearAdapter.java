package dev.personascope.model;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * A trainable change to one projection (LoRA, DoRA, ...), attached to a {@link LinearLayer}. The
 * model only calls it; implementations live outside {@code model} (see {@code lora}).
 */
public interface LinearAdapter extends AutoCloseable {
    /**
     * What to add to the projection's output: {@code x} [..., in] is the input, {@code base} [..., out]
     * is x·Wᵀ without the bias, {@code weight} is W [out, in]. Created in x's manager, in x's dtype.
     */
    NDArray delta(NDArray x, NDArray base, NDArray weight);

    /** Folds the adapter into {@code weight} [out, in] in place. */
    void mergeInto(NDArray weight);

    /** The adapter's tensors by their name after the module's, e.g. {@code lora_A.weight}. */
    Map<String, NDArray> tensors();

    /** Dropout and other training-only behaviour on or off. */
    void setTraining(boolean training);

    @Override
    void close();
}
