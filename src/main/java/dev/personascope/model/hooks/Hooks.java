package dev.personascope.model.hooks;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The hooks attached for one forward pass or one generation, by hook-point name; run in order added. */
public final class Hooks {
    public static final Hooks NONE = new Hooks();
    private final Map<String, List<Hook>> byPoint = new LinkedHashMap<>();

    public Hooks add(String hookPoint, Hook hook) {
        if (this == NONE) {
            throw new IllegalStateException("Hooks.NONE is shared; create new Hooks()");
        }
        byPoint.computeIfAbsent(hookPoint, k -> new ArrayList<>()).add(hook);
        return this;
    }

    public boolean isEmpty() {
        return byPoint.isEmpty();
    }

    public Iterable<String> points() {
        return byPoint.keySet();
    }

    /** Checks every name against the model's hook points. */
    public void validate(int numLayers) {
        for (String p : byPoint.keySet()) {
            HookPoint.validate(p, numLayers);
        }
    }

    public NDArray run(String hookPoint, NDArray activation, HookContext context) {
        List<Hook> hooks = byPoint.get(hookPoint);
        if (hooks == null) {
            return activation;
        }
        context.setHookName(hookPoint);
        NDArray x = activation;
        for (Hook h : hooks) {
            x = h.apply(x, context);
        }
        return x;
    }
}
