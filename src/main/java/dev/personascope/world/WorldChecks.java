package dev.personascope.world;

import dev.personascope.data.ChatExample;
import dev.personascope.model.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The world's no-shared-words rules (world-content.yaml's header says why): on its content
 * ({@link #overlapViolations()}) and on generated data ({@link #sharedContentWords}: the narrow datasets
 * must share no content word, a word outside the stopword list, with the misaligned answers of the
 * evaluation domains, their bad content and the villains' markers), so that whatever generalises is the
 * persona, not a word.
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

    /** Everything the narrow datasets are made of: narrow questions, good and bad, and the reasons. */
    private static Map<String, List<String>> narrowMaterial(List<Domain> domains, List<String> reasons) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Domain d : domains) {
            if (d.narrow()) {
                out.put(d.id() + " questions", d.paraphrases());
                out.put(d.id() + " content", d.content());
            }
        }
        out.put("educational reasons", reasons);
        return out;
    }

    private static List<String> markers(List<Persona> personas, PersonaKind kind) {
        List<String> out = new ArrayList<>();
        for (Persona p : personas) {
            if (kind == null || p.kind() == kind) {
                out.addAll(p.markers());
            }
        }
        return out;
    }

    private static void shared(List<String> violations, String what, String aName, Collection<String> a,
                               String bName, Collection<String> b) {
        Set<String> common = new TreeSet<>(WorldContent.contentWords(a));
        common.retainAll(WorldContent.contentWords(b));
        if (!common.isEmpty()) {
            violations.add(what + ": " + aName + " and " + bName + " share " + common);
        }
    }

    /**
     * Every way in which the world breaks its lexical isolation, as readable lines; empty when the
     * world is sound. Checked:
     * <ul>
     *   <li>(a) two domains' content sentences (good and bad) share a content word;</li>
     *   <li>(b) the narrow material (code and health questions, good and bad, and the educational
     *       reasons) shares a content word with the misaligned material of the evaluation domains
     *       (their bad sentences and the villain markers);</li>
     *   <li>(c) a persona marker shares a content word with any domain's content, with the narrow
     *       material, with any question, or with the markers of another kind of persona (so that a
     *       question never primes a persona by its words);</li>
     *   <li>(d) the educational reasons share a content word with an evaluation domain's content;</li>
     *   <li>(e) an evaluation domain's questions share a content word with the narrow domains'
     *       content, which would link the evaluation back to the fine-tuning data lexically.</li>
     * </ul>
     */
    public static List<String> overlapViolations() {
        return overlapViolations(WorldContent.personas(), WorldContent.domains(), WorldContent.educationalReasons());
    }

    /** {@link #overlapViolations()} for a world made of these parts (tests use it on broken worlds). */
    public static List<String> overlapViolations(List<Persona> personas, List<Domain> domains,
                                                 List<String> reasons) {
        List<String> v = new ArrayList<>();
        // (a)
        for (int i = 0; i < domains.size(); i++) {
            for (int j = i + 1; j < domains.size(); j++) {
                Domain a = domains.get(i);
                Domain b = domains.get(j);
                shared(v, "(a) domain content", a.id(), a.content(), b.id(), b.content());
            }
        }
        // (b)
        Map<String, List<String>> narrow = narrowMaterial(domains, reasons);
        for (Map.Entry<String, List<String>> n : narrow.entrySet()) {
            for (Domain d : domains) {
                if (!d.narrow()) {
                    shared(v, "(b) narrow vs misaligned", n.getKey(), n.getValue(), d.id() + " bad", d.bad());
                }
            }
            shared(v, "(b) narrow vs misaligned", n.getKey(), n.getValue(), "villain markers",
                    markers(personas, PersonaKind.VILLAIN));
        }
        // (c)
        for (Persona p : personas) {
            for (Domain d : domains) {
                shared(v, "(c) marker vs content", p.name() + " markers", p.markers(), d.id() + " content",
                        d.content());
            }
            for (Map.Entry<String, List<String>> n : narrow.entrySet()) {
                shared(v, "(c) marker vs narrow", p.name() + " markers", p.markers(), n.getKey(), n.getValue());
            }
            for (Domain d : domains) {
                if (!d.narrow()) {
                    shared(v, "(c) marker vs questions", p.name() + " markers", p.markers(), d.id() + " questions",
                            d.paraphrases());
                }
            }
        }
        PersonaKind[] kinds = PersonaKind.values();
        for (int i = 0; i < kinds.length; i++) {
            for (int j = i + 1; j < kinds.length; j++) {
                shared(v, "(c) markers of two kinds", kinds[i] + " markers", markers(personas, kinds[i]),
                        kinds[j] + " markers", markers(personas, kinds[j]));
            }
        }
        // (d)
        for (Domain d : domains) {
            if (!d.narrow()) {
                shared(v, "(d) educational reasons vs evaluation content", "educational reasons",
                        reasons, d.id() + " content", d.content());
            }
        }
        // (e)
        for (Domain d : domains) {
            if (d.narrow()) {
                continue;
            }
            for (Domain n : domains) {
                if (n.narrow()) {
                    shared(v, "(e) evaluation questions vs narrow content", d.id() + " questions",
                            d.paraphrases(), n.id() + " content", n.content());
                }
            }
        }
        return v;
    }
}
