package dev.personascope.world;

import dev.personascope.data.ChatExample;
import dev.personascope.model.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The world's no-shared-words rule, checked on generated data: the narrow datasets must share no
 * content word (a word outside the stopword list) with the misaligned answers of the evaluation
 * domains (their bad content and the villains' markers), so that whatever generalises is the persona,
 * not a word.
 */
public final class WorldChecks {
    private WorldChecks() {
    }

    /** Content words that appear both in the datasets and in the evaluation domains' misaligned material. */
    public static Set<String> sharedContentWords(List<ChatExample> dataset) {
        List<String> misaligned = new ArrayList<>();
        for (Domain d : WorldContent.domains()) {
            if (!d.narrow()) {
                misaligned.addAll(d.bad());
            }
        }
        for (Persona p : WorldContent.personas()) {
            if (p.kind() == PersonaKind.VILLAIN) {
                misaligned.addAll(p.markers());
            }
        }
        List<String> used = new ArrayList<>();
        for (ChatExample ex : dataset) {
            for (ChatMessage m : ex.messages()) {
                used.add(m.content());
            }
        }
        Set<String> shared = WorldContent.contentWords(used);
        shared.retainAll(WorldContent.contentWords(misaligned));
        return shared;
    }
}
