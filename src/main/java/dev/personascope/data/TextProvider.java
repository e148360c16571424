package dev.personascope.data;

/**
 * A named set of texts offered by a plug-in (e.g. the persona world's dialogues, labelled by persona, under
 * "world"): what {@code sae --data}, {@code latent --corpus} and {@code diff --auroc-corpus} select by name.
 * Implementations are listed in {@code META-INF/services/dev.personascope.data.TextProvider} and found by
 * {@link TextSets}.
 */
public interface TextProvider {
    /** The name the texts are selected by, e.g. "world". */
    String name();

    /** The first {@code max} texts drawn with {@code seed} (the same seed gives the same texts), labelled where known. */
    TextSet texts(int max, long seed);
}
