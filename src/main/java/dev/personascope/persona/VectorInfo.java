package dev.personascope.persona;

import java.util.List;

/**
 * Where a persona vector came from, kept under {@code info} in its {@link VectorFile}: the texts it was computed from,
 * each layer's separation of them, and its cosine with the directions it was compared with.
 */
public record VectorInfo(String name, String model, String source, int positive, int negative, long seed,
                         List<Layer> layers, List<Cosine> cosines) {
    public VectorInfo {
        layers = layers == null ? List.of() : layers;
        cosines = cosines == null ? List.of() : cosines;
    }

    /** One layer: how well the mean difference there separates the two sets (Cohen's d, AUROC), and its norm. */
    public record Layer(String hook, double separation, double auroc, double norm) {
    }

    /** The cosine with another direction (as given, e.g. {@code sae:DIR#12}) at its hook. */
    public record Cosine(String direction, String hook, double cosine) {
    }
}
