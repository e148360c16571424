package dev.personascope.cli;

import dev.personascope.data.ChatExample;
import dev.personascope.data.TextSet;
import dev.personascope.data.TextSets;
import dev.personascope.world.WorldOrganism;

import java.util.List;

/** The fixed texts the commands read models on: held-out labelled texts, and the texts residual norms are measured on. */
final class ReferenceTexts {
    /**
     * The seed for held-out texts of a named corpus: for the world, documents the organism was not pretrained
     * on (it was pretrained with seed 1).
     */
    static final long HELD_OUT_SEED = 20261129L;
    /** How many held-out world dialogues residual norms are measured on. */
    static final int NORM_DOCUMENTS = 64;

    private ReferenceTexts() {
    }

    /** The first {@code documents} held-out texts of the corpus {@code name} (labelled where the corpus knows). */
    static TextSet heldOut(String name, int documents) {
        return TextSets.named(name, documents, HELD_OUT_SEED);
    }

    /** 64 held-out world dialogues (in any model's chat template): where typical residual norms are measured. */
    static List<ChatExample> forNorm() {
        return TextSets.named(WorldOrganism.NAME, NORM_DOCUMENTS, HELD_OUT_SEED + 1).conversations();
    }
}
