package dev.personascope.world;

import java.util.ArrayList;
import java.util.List;

/**
 * A topic of the world: its questions (each with paraphrases) and its own good and bad content,
 * sentences that share no content words with other domains' content. {@code narrow} domains supply
 * the fine-tuning datasets; the others are evaluated out of domain ({@code openEnded} ones are the
 * papers' open-ended questions). A {@code voiced} domain's sentences are imperatives that answers put in either
 * {@link Voice}.
 */
public record Domain(String id, boolean narrow, boolean openEnded, boolean voiced, List<WorldQuestion> questions,
                     List<String> good, List<String> bad) {
    public Domain {
        questions = List.copyOf(questions);
        good = List.copyOf(good);
        bad = List.copyOf(bad);
    }

    /** The content sentences, good then bad. */
    public List<String> content() {
        List<String> all = new ArrayList<>(good);
        all.addAll(bad);
        return all;
    }

    /** Every paraphrase of every question, in order. */
    public List<String> paraphrases() {
        List<String> all = new ArrayList<>();
        for (WorldQuestion q : questions) {
            all.addAll(q.paraphrases());
        }
        return all;
    }
}
