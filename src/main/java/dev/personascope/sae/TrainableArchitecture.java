package dev.personascope.sae;

import dev.personascope.util.EnumNames;

/**
 * The SAE architectures this project trains, by their {@link SaeRegistry} name ("topk", "batchtopk",
 * "standard"). Reading takes any registered architecture (jumprelu too); training takes one of these.
 */
public enum TrainableArchitecture {
    TOPK, BATCHTOPK, STANDARD;

    /** The registry name, as cfg.json's "architecture" and the command line spell it. */
    @Override
    public String toString() {
        return EnumNames.of(this);
    }

    public static TrainableArchitecture parse(String name) {
        return EnumNames.parse(TrainableArchitecture.class, name, "the SAE architecture to train");
    }
}
