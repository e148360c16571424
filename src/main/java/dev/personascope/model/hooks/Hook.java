package dev.personascope.model.hooks;

import ai.djl.ndarray.NDArray;

/**
 * A function run at a hook point: it receives the activation [batch, tokens, d_model] and returns
 * the activation the model continues with (the same array to only read it). Arrays it creates must
 * be created from the activation (e.g. {@code act.getManager()}) so that they are freed with the step.
 */
@FunctionalInterface
public interface Hook {
    NDArray apply(NDArray activation, HookContext context);
}
