package dev.personascope.persona;

import dev.personascope.data.ChatExample;

import java.util.List;

/**
 * Named conversations whose speaker's persona is known, offered by a plug-in (e.g. the persona world's
 * held-out dialogues): the labelled text latent AUROCs are computed on. Implementations are listed in
 * {@code META-INF/services/dev.personascope.persona.LabelledTextProvider} and found by
 * {@link LabelledTexts#named}.
 */
public interface LabelledTextProvider {
    /**
     * One conversation and its label.
     *
     * @param villain {@code true} for text spoken by a misaligned persona, {@code false} for a helpful one,
     *                {@code null} for neither (not counted in AUROCs)
     */
    record Labelled(ChatExample conversation, Boolean villain) {
    }

    /** The name the corpus is selected by, e.g. "world". */
    String name();

    /** The first {@code documents} conversations drawn with {@code seed}, each labelled. */
    List<Labelled> conversations(int documents, long seed);
}
