package dev.personascope.cli;

import dev.personascope.data.ChatExample;
import dev.personascope.persona.LabelledTexts;
import dev.personascope.world.WorldGenerator;

import java.util.List;

/** Fixed texts the commands measure typical residual norms on: 64 held-out world dialogues, in any model's chat template. */
final class ReferenceTexts {
    static final int DOCUMENTS = 64;

    private ReferenceTexts() {
    }

    static List<ChatExample> forNorm() {
        return new WorldGenerator().pretrainingCorpus(DOCUMENTS, LabelledTexts.HELD_OUT_SEED + 1);
    }
}
