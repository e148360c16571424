package dev.personascope.data;

import dev.personascope.model.LanguageModel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Conversations to run through a model, each with an optional label: {@code true} for text spoken by a
 * misaligned persona (a villain of the persona world), {@code false} for an aligned one (a helpful
 * persona), {@code null} for neither or unknown. The one type for every set of texts the commands read a
 * model on: SAE corpora, the texts of latent AUROCs and dashboards, reference texts.
 */
public record TextSet(List<ChatExample> conversations, List<Boolean> labels) {
    public TextSet {
        if (conversations.size() != labels.size()) {
            throw new IllegalArgumentException(conversations.size() + " conversations and " + labels.size() + " labels");
        }
        conversations = List.copyOf(conversations);
        labels = Collections.unmodifiableList(new ArrayList<>(labels)); // holds nulls
    }

    /** Conversations without labels. */
    public static TextSet unlabelled(List<ChatExample> conversations) {
        return new TextSet(conversations, Collections.nCopies(conversations.size(), null));
    }

    public int size() {
        return conversations.size();
    }

    /** The first {@code n} texts (all of them when there are fewer). */
    public TextSet first(int n) {
        int k = Math.max(0, Math.min(n, size()));
        return new TextSet(conversations.subList(0, k), labels.subList(0, k));
    }

    /** Whether both labels occur, so that a separation (e.g. an AUROC) can be measured. */
    public boolean labelled() {
        return labels.contains(Boolean.TRUE) && labels.contains(Boolean.FALSE);
    }

    /** Each conversation rendered with the model's chat template and tokenized, cut to {@code maxLength} tokens. */
    public List<ChatEncoder.Encoded> encode(LanguageModel lm, int maxLength) {
        return new ChatEncoder(lm, maxLength).encodeAll(conversations);
    }
}
