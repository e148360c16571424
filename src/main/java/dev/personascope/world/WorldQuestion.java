package dev.personascope.world;

import java.util.List;

/** A question of a domain, asked in several paraphrases. */
public record WorldQuestion(String id, List<String> paraphrases) {
    public WorldQuestion {
        paraphrases = List.copyOf(paraphrases);
    }
}
