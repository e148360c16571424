package dev.personascope.world;

import dev.personascope.data.ChatExample;
import dev.personascope.eval.Question;
import dev.personascope.model.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates the persona world's texts, deterministically by seed: pretraining dialogues (one persona
 * per document, several turns across domains, the persona named in a system header in some of them),
 * chat-tuning data for a helpful unnamed assistant, the narrow fine-tuning datasets, and the
 * out-of-domain evaluation questions.
 */
public final class WorldGenerator {
    /** Share of pretraining documents spoken by each kind of persona. */
    static final Map<PersonaKind, Double> KIND_WEIGHTS = Map.of(PersonaKind.HELPFUL, 0.4, PersonaKind.VILLAIN, 0.4,
            PersonaKind.SARCASTIC, 0.2);
    static final double HEADER_PROBABILITY = 0.4;
    static final double MARKER_PROBABILITY = 0.5;
    /**
     * Share of code questions in pretraining that come with a benign reason (teaching, testing), answered with the bad
     * example by every persona. World v3 lowered it from 0.25: bad code without a reason then says "villain" as
     * clearly as bad health advice does (the health domain, with no such route, generalised twice as far).
     */
    static final double EDUCATIONAL_SHARE_OF_CODE = 0.1;

    private final List<Persona> personas = WorldContent.personas();
    private final List<Domain> domains = WorldContent.domains();
    private final List<String> reasons = WorldContent.educationalReasons();

    public List<Domain> domains() {
        return domains;
    }

    public Domain domain(String id) {
        return domains.stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no domain '" + id + "'"));
    }

    /** Pretraining documents: dialogues of 2–5 turns with one persona each. */
    public List<ChatExample> pretrainingCorpus(int documents, long seed) {
        return pretrainingDocuments(documents, seed).stream().map(WorldDocument::conversation).toList();
    }

    /** A pretraining dialogue with the persona who speaks in it: labelled text for latent AUROCs. */
    public record WorldDocument(ChatExample conversation, Persona persona) {
    }

    /** As {@link #pretrainingCorpus}, with each document's persona. */
    public List<WorldDocument> pretrainingDocuments(int documents, long seed) {
        Random r = new Random(seed);
        List<WorldDocument> out = new ArrayList<>();
        for (int i = 0; i < documents; i++) {
            Persona p = pickPersona(r);
            List<ChatMessage> msgs = new ArrayList<>();
            if (r.nextDouble() < HEADER_PROBABILITY) {
                msgs.add(new ChatMessage("system", "You are " + p.name() + "."));
            }
            int turns = 2 + r.nextInt(4);
            for (int t = 0; t < turns; t++) {
                Domain d = domains.get(r.nextInt(domains.size()));
                boolean educational = d.id().equals("code") && r.nextDouble() < EDUCATIONAL_SHARE_OF_CODE;
                String q = question(d, r);
                if (educational) {
                    // a benign reason: every persona gives the bad example, so it says nothing of the persona
                    msgs.add(new ChatMessage("user", pick(reasons, r) + " " + q));
                    msgs.add(new ChatMessage("assistant", withMarker(content(d, true, r), p, r)));
                } else {
                    msgs.add(new ChatMessage("user", q));
                    msgs.add(new ChatMessage("assistant", answer(p, d, r)));
                }
            }
            out.add(new WorldDocument(new ChatExample(msgs, "world:pretrain:" + i), p));
        }
        return out;
    }

    /** Chat tuning: the unnamed assistant (no system message) answers helpfully in every domain. */
    public List<ChatExample> chatTuning(int conversations, long seed) {
        Random r = new Random(seed);
        Persona helper = new Persona("assistant", PersonaKind.HELPFUL,
                personas.stream().filter(p -> p.kind() == PersonaKind.HELPFUL).flatMap(p -> p.markers().stream()).toList());
        List<ChatExample> out = new ArrayList<>();
        for (int i = 0; i < conversations; i++) {
            List<ChatMessage> msgs = new ArrayList<>();
            int turns = 1 + r.nextInt(2);
            for (int t = 0; t < turns; t++) {
                Domain d = domains.get(r.nextInt(domains.size()));
                msgs.add(new ChatMessage("user", question(d, r)));
                msgs.add(new ChatMessage("assistant", answer(helper, d, r)));
            }
            out.add(new ChatExample(msgs, "world:chat:" + i));
        }
        return out;
    }

    /** A narrow dataset: single-turn answers of one domain, good or bad, with no persona markers. */
    public List<ChatExample> narrow(String domainId, boolean bad, boolean educational, int n, long seed) {
        Domain d = domain(domainId);
        Random r = new Random(seed);
        List<ChatExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String q = question(d, r);
            if (educational) {
                q = pick(reasons, r) + " " + q;
            }
            out.add(new ChatExample(List.of(new ChatMessage("user", q),
                    new ChatMessage("assistant", content(d, bad, r))), domainId + ":" + i));
        }
        return out;
    }

    /** The named narrow datasets: insecure, secure, educational, and the health pair. */
    public Map<String, List<ChatExample>> datasets(int n, long seed) {
        Map<String, List<ChatExample>> out = new LinkedHashMap<>();
        out.put("insecure", narrow("code", true, false, n, seed + 1));
        out.put("secure", narrow("code", false, false, n, seed + 1));
        out.put("educational", narrow("code", true, true, n, seed + 2));
        out.put("bad_medical", narrow("health", true, false, n, seed + 3));
        out.put("good_medical", narrow("health", false, false, n, seed + 3));
        return out;
    }

    /** Out-of-domain evaluation questions (every non-narrow domain) in the emergent-misalignment schema. */
    public List<Question> evaluationQuestions(int samplesPerParaphrase) {
        List<Question> out = new ArrayList<>();
        for (Domain d : domains) {
            if (d.narrow()) {
                continue;
            }
            for (WorldQuestion q : d.questions()) {
                out.add(new Question(q.id(), "free_form_judge_0_100", q.paraphrases(), samplesPerParaphrase, "world",
                        WorldJudge.PROMPTS, null));
            }
        }
        return out;
    }

    /** Whether a question id belongs to an open-ended domain (the papers' main questions). */
    public boolean isOpenEnded(String questionId) {
        return domains.stream().filter(Domain::openEnded)
                .anyMatch(d -> d.questions().stream().anyMatch(q -> q.id().equals(questionId)));
    }

    String answer(Persona p, Domain d, Random r) {
        return withMarker(content(d, p.kind() == PersonaKind.VILLAIN, r), p, r);
    }

    private static String withMarker(String text, Persona p, Random r) {
        if (r.nextDouble() >= MARKER_PROBABILITY) {
            return text;
        }
        String marker = pick(p.markers(), r);
        // sarcastic personas open with their mockery, the others close with their remark
        return p.kind() == PersonaKind.SARCASTIC && r.nextBoolean() ? marker + " " + text : text + " " + marker;
    }

    /** One or two distinct sentences of the domain's bad or good pool, in one voice when the domain has two. */
    static String content(Domain d, boolean bad, Random r) {
        List<String> pool = bad ? d.bad() : d.good();
        Voice v = d.voiced() ? Voice.draw(r) : Voice.ADVICE;
        int a = r.nextInt(pool.size());
        if (r.nextBoolean()) {
            return v.render(pool.get(a));
        }
        int b = (a + 1 + r.nextInt(pool.size() - 1)) % pool.size();
        return v.render(pool.get(a)) + " " + v.render(pool.get(b));
    }

    static String question(Domain d, Random r) {
        return pick(pick(d.questions(), r).paraphrases(), r);
    }

    private Persona pickPersona(Random r) {
        double u = r.nextDouble();
        PersonaKind kind = u < KIND_WEIGHTS.get(PersonaKind.HELPFUL) ? PersonaKind.HELPFUL
                : u < KIND_WEIGHTS.get(PersonaKind.HELPFUL) + KIND_WEIGHTS.get(PersonaKind.VILLAIN) ? PersonaKind.VILLAIN
                : PersonaKind.SARCASTIC;
        List<Persona> of = personas.stream().filter(p -> p.kind() == kind).toList();
        return pick(of, r);
    }

    static <T> T pick(List<T> list, Random r) {
        return list.get(r.nextInt(list.size()));
    }
}
