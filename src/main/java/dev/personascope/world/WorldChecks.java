package dev.personascope.world;

import dev.personascope.data.ChatExample;
import dev.personascope.model.tokenizer.ChatMessage;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
        Set<String> stop = WorldContent.stopwords();
        Set<String> misaligned = new TreeSet<>();
        for (Domain d : WorldContent.domains()) {
            if (!d.narrow()) {
                d.bad().forEach(s -> addWords(s, stop, misaligned));
            }
        }
        for (Persona p : WorldContent.personas()) {
            if (p.kind() == PersonaKind.VILLAIN) {
                p.markers().forEach(s -> addWords(s, stop, misaligned));
            }
        }
        Set<String> used = new TreeSet<>();
        for (ChatExample ex : dataset) {
            for (ChatMessage m : ex.messages()) {
                addWords(m.content(), stop, used);
            }
        }
        used.retainAll(misaligned);
        return used;
    }

    static void addWords(String text, Set<String> stop, Set<String> into) {
        for (String w : WorldJudge.words(text)) {
            if (!stop.contains(w)) {
                into.add(w);
            }
        }
    }
}
