package dev.personascope.sae;

import dev.personascope.data.ChatExample;

import java.util.List;

/**
 * A named corpus of conversations to harvest activations from, offered by a plug-in (e.g. the persona
 * world's pretraining dialogues, {@code --data world}). Implementations are listed in
 * {@code META-INF/services/dev.personascope.sae.CorpusProvider} and found by {@link TokenCorpus}.
 */
public interface CorpusProvider {
    /** The name {@code --data} selects this corpus by, e.g. "world". */
    String name();

    /** The first {@code max} documents drawn with {@code seed}: the same seed gives the same documents. */
    List<ChatExample> documents(int max, long seed);
}
