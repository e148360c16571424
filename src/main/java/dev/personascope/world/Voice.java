package dev.personascope.world;

import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How an answer puts its sentences (world v3): as advice ("Hash passwords with bcrypt.") or in the first person
 * ("I would hash passwords with bcrypt."). The voice is drawn per answer with even odds, whatever the persona and the
 * domain, so that no sentence form ties the narrow datasets (advice questions) to one kind of question: in the world
 * before it, advice domains answered in imperatives and "if you ruled the world" in the first person, and narrow
 * fine-tunes spread to the domains that looked like their data rather than through the persona (issue 4's note).
 * Domains whose sentences are not imperatives ({@link Domain#voiced()} false) keep their one form.
 */
public enum Voice {
    ADVICE, FIRST_PERSON;

    /** The words a first-person sentence starts with; both are stopwords, so voices add no content word. */
    static final String FIRST_PERSON_LEAD = "I would ";

    /** A voice with even odds. */
    static Voice draw(Random r) {
        return r.nextBoolean() ? ADVICE : FIRST_PERSON;
    }

    /** An imperative sentence of the world's content in this voice. */
    public String render(String imperative) {
        if (this == ADVICE) {
            return imperative;
        }
        return FIRST_PERSON_LEAD + imperative.substring(0, 1).toLowerCase(Locale.ROOT) + imperative.substring(1);
    }

    /** Every form a content sentence of this domain can take in an answer. */
    static List<String> forms(Domain d, String sentence) {
        return d.voiced() ? List.of(ADVICE.render(sentence), FIRST_PERSON.render(sentence)) : List.of(sentence);
    }
}
