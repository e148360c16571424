package dev.personascope.persona;

import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.train.ChatEncoder;
import dev.personascope.world.PersonaKind;
import dev.personascope.world.WorldGenerator;

import java.util.ArrayList;
import java.util.List;

/**
 * Conversations with an optional label each: {@code true} for text spoken by a villain (misaligned
 * persona), {@code false} for a helpful one, {@code null} for neither. The world knows every label.
 */
public record LabelledTexts(List<ChatEncoder.Encoded> docs, List<Boolean> villain) {
    /** The world's seed for held-out text: documents the organism was not pretrained on (it used seed 1). */
    public static final long HELD_OUT_SEED = 20261129L;

    /** Held-out world dialogues, labelled villain / helpful (sarcastic personas unlabelled). */
    public static LabelledTexts world(LanguageModel lm, int documents, long seed) {
        List<ChatEncoder.Encoded> docs = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        ChatEncoder enc = new ChatEncoder(lm, 512);
        for (WorldGenerator.WorldDocument d : new WorldGenerator().pretrainingDocuments(documents, seed)) {
            docs.add(enc.encode(d.conversation()));
            PersonaKind k = d.persona().kind();
            labels.add(k == PersonaKind.VILLAIN ? Boolean.TRUE : k == PersonaKind.HELPFUL ? Boolean.FALSE : null);
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
