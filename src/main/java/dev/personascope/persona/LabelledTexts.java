package dev.personascope.persona;

import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.data.ChatEncoder;
import dev.personascope.util.Plugins;

import java.util.ArrayList;
import java.util.List;

/**
 * Conversations with an optional label each: {@code true} for text spoken by a villain (misaligned
 * persona), {@code false} for a helpful one, {@code null} for neither. A {@link LabelledTextProvider}
 * plug-in (e.g. the persona world) knows every label of its texts.
 */
public record LabelledTexts(List<ChatEncoder.Encoded> docs, List<Boolean> villain) {
    /**
     * The seed for held-out labelled text: documents the organism was not pretrained on (it was
     * pretrained with seed 1).
     */
    public static final long HELD_OUT_SEED = 20261129L;

    private static final Plugins<LabelledTextProvider> PROVIDERS = Plugins.load(LabelledTextProvider.class,
            "labelled corpus", LabelledTextProvider::name);

    /** Whether a plug-in offers labelled text named {@code name}. */
    public static boolean has(String name) {
        return PROVIDERS.find(name).isPresent();
    }

    /** The names of the labelled corpora plug-ins offer. */
    public static List<String> names() {
        return PROVIDERS.names();
    }

    /**
     * The labelled corpus {@code name} (e.g. "world": held-out world dialogues, labelled villain / helpful,
     * sarcastic personas unlabelled): {@code documents} conversations drawn with {@code seed}, encoded.
     */
    public static LabelledTexts named(String name, LanguageModel lm, int documents, long seed) {
        LabelledTextProvider provider = PROVIDERS.get(name);
        List<ChatEncoder.Encoded> docs = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        ChatEncoder enc = new ChatEncoder(lm, 512);
        for (LabelledTextProvider.Labelled d : provider.conversations(documents, seed)) {
            docs.add(enc.encode(d.conversation()));
            labels.add(d.villain());
        }
        return new LabelledTexts(docs, labels);
    }

    /** Unlabelled conversations (top contexts and histograms still work; AUROC does not). */
    public static LabelledTexts unlabelled(LanguageModel lm, List<ChatExample> conversations) {
        List<ChatEncoder.Encoded> docs = TokenActivations.encode(lm, conversations, 512);
        List<Boolean> labels = new ArrayList<>();
        docs.forEach(d -> labels.add(null));
        return new LabelledTexts(docs, labels);
    }

    public boolean labelled() {
        return villain.stream().anyMatch(Boolean.TRUE::equals) && villain.stream().anyMatch(Boolean.FALSE::equals);
    }
}
