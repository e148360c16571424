package dev.personascope.lora;

import java.util.List;
import java.util.Set;

/**
 * Which projections get LoRA adapters and how: rank (1..256), alpha, dropout, target module names
 * ({@code q_proj} ... {@code down_proj}), optional layer list (null = every layer), rsLoRA scaling.
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targets, List<Integer> layers, boolean rslora) {
    public static final Set<String> MODULES = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraConfig {
        if (rank < 1 || rank > 256) {
            throw new IllegalArgumentException("LoRA rank must be in 1..256, got " + rank);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module");
        }
        for (String t : targets) {
            if (!MODULES.contains(t)) {
                throw new IllegalArgumentException("unknown LoRA target module '" + t + "' (expected one of " + MODULES + ")");
            }
        }
        targets = List.copyOf(targets);
        layers = layers == null ? null : List.copyOf(layers);
    }

    public float scale() {
        return (float) (rslora ? alpha / Math.sqrt(rank) : alpha / rank);
    }

    /** Whether the projection {@code model.layers.L.<...>.<module>} is adapted. */
    public boolean covers(int layer, String module) {
        return targets.contains(module) && (layers == null || layers.contains(layer));
    }
}
