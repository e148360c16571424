package dev.personascope.sae;

import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SAE architectures by their SAELens name ({@code cfg.json}'s "architecture"): how to construct one with
 * zero-filled parameters from a config, and whether the architecture reads {@code k}.
 *
 * <p>To add an architecture, add a line to the static block, e.g.
 * {@code register("jumprelu", false, JumpReluSae::new);} — the class allocates its parameters (including
 * any beyond the four SAELens ones, e.g. "threshold") in its constructor, and {@link SaeFolder} then reads
 * and writes exactly those parameters.
 */
public final class SaeRegistry {
    /** Builds an SAE of one architecture with zero-filled SAELens-shaped parameters. */
    @FunctionalInterface
    public interface Factory {
        Sae create(SaeConfig config, NDManager parent);
    }

    /** One architecture: its name, constructor, and whether cfg.json carries {@code k} for it. */
    public record Architecture(String name, boolean usesK, Factory factory) {
    }

    private static final Map<String, Architecture> ARCHITECTURES = new LinkedHashMap<>();

    static {
        register("topk", true, TopKSae::new);
        register("batchtopk", true, BatchTopKSae::new);
        register("standard", false, StandardSae::new);
        register("jumprelu", false, JumpReluSae::new);
    }

    private SaeRegistry() {
    }

    /** Registers (or replaces) an architecture. */
    public static synchronized void register(String name, boolean usesK, Factory factory) {
        ARCHITECTURES.put(name, new Architecture(name, usesK, factory));
    }

    /** The architecture of that name, or null. */
    public static synchronized Architecture find(String name) {
        return ARCHITECTURES.get(name);
    }

    /** The architecture of that name; an IllegalArgumentException listing the known ones if there is none. */
    public static synchronized Architecture get(String name) {
        Architecture a = ARCHITECTURES.get(name);
        if (a == null) {
            throw new IllegalArgumentException("unknown SAE architecture '" + name + "' (known: "
                    + String.join(", ", names()) + ")");
        }
        return a;
    }

    public static synchronized List<String> names() {
        return new ArrayList<>(ARCHITECTURES.keySet());
    }

    /** Constructs an SAE of {@code config.architecture} with zero-filled parameters. */
    public static Sae create(SaeConfig config, NDManager parent) {
        return get(config.architecture).factory().create(config, parent);
    }
}
