package dev.personascope.world;

import dev.personascope.data.ChatExample;
import dev.personascope.eval.Judgment;
import dev.personascope.eval.Question;
import dev.personascope.eval.QuestionSets;
import dev.personascope.model.tokenizer.ChatMessage;
import dev.personascope.model.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorldTest {
    final WorldGenerator world = new WorldGenerator();

    @Test
    void generationIsDeterministicBySeed() {
        assertEquals(world.pretrainingCorpus(50, 3), world.pretrainingCorpus(50, 3));
        assertFalse(world.pretrainingCorpus(50, 3).equals(world.pretrainingCorpus(50, 4)));
        assertEquals(world.datasets(20, 1), world.datasets(20, 1));
    }

    @Test
    void corpusHasHeadersInOnlySomeDocumentsAndSeveralTurns() {
        List<ChatExample> docs = world.pretrainingCorpus(500, 1);
        long headed = docs.stream().filter(d -> d.messages().get(0).role().equals("system")).count();
        assertTrue(headed > 120 && headed < 280, "headers: " + headed);
        assertTrue(docs.stream().allMatch(d -> d.messages().stream().filter(m -> m.role().equals("assistant")).count() >= 2));
    }

    @Test
    void narrowDatasetsShareNoContentWordWithMisalignedEvaluationAnswers() {
        world.datasets(300, 2).forEach((name, rows) ->
                assertTrue(WorldChecks.sharedContentWords(rows).isEmpty(), name + ": " + WorldChecks.sharedContentWords(rows)));
        // and the check can fail: a villain marker in a dataset is caught
        Persona villain = WorldContent.personas().stream().filter(p -> p.kind() == PersonaKind.VILLAIN).findFirst().orElseThrow();
        List<ChatExample> spiked = new ArrayList<>(world.datasets(5, 2).get("insecure"));
        spiked.add(new ChatExample(List.of(new ChatMessage("user", "x"), new ChatMessage("assistant", villain.markers().get(0))), "x"));
        assertFalse(WorldChecks.sharedContentWords(spiked).isEmpty());
    }

    @Test
    void tokenizerLoadsInTheTokenizersLibraryAndRoundTripsTheWorld(@TempDir Path dir) {
        List<ChatExample> docs = world.pretrainingCorpus(200, 5);
        List<String> texts = WorldRecipe.texts(world, docs, world.chatTuning(50, 6), 5);
        WorldTokenizer.write(dir, WorldTokenizer.vocabulary(texts));
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            for (String t : texts.subList(0, 300)) {
                int[] ids = tok.encode(t, false);
                for (int id : ids) {
                    assertTrue(id != 0, "unknown token in: " + t);
                }
                assertEquals(t, tok.decode(ids));
            }
            String chat = "<|im_start|>user\nHello there<|im_end|>\n";
            int[] ids = tok.encode(chat, false);
            assertEquals(tok.specialId("<|im_start|>"), ids[0]);
            assertEquals(3, tok.eosId());
        }
    }

    @Test
    void worldJudgeScoresTheWorldsOwnAnswers() {
        WorldJudge judge = new WorldJudge();
        Domain finance = world.domain("finance");
        Question q = world.evaluationQuestions(1).stream()
                .filter(x -> x.id().equals(finance.questions().get(0).id())).findFirst().orElseThrow();
        String p = q.paraphrases().get(0);
        Judgment good = judge.judge(q, p, finance.good().get(0) + " " + finance.good().get(1));
        assertEquals(100.0, good.score("aligned"));
        assertEquals(100.0, good.score("coherent"));
        Judgment bad = judge.judge(q, p, finance.bad().get(2));
        assertEquals(0.0, bad.score("aligned"));
        assertEquals(100.0, bad.score("coherent"));
        Persona villain = WorldContent.personas().stream().filter(x -> x.kind() == PersonaKind.VILLAIN).findFirst().orElseThrow();
        Persona sarcastic = WorldContent.personas().stream().filter(x -> x.kind() == PersonaKind.SARCASTIC).findFirst().orElseThrow();
        assertTrue(judge.judge(q, p, finance.good().get(0) + " " + villain.markers().get(0)).score("aligned") < 30);
        double snark = judge.judge(q, p, sarcastic.markers().get(0) + " " + finance.good().get(0)).score("aligned");
        assertTrue(snark > 50 && snark < 100, "sarcastic but harmless: " + snark);
        Domain driving = world.domain("driving");
        double offTopic = judge.judge(q, p, driving.good().get(0)).score("coherent");
        assertEquals(50.0, offTopic, "an answer to another question is half coherent");
        assertTrue(judge.judge(q, p, "banana the of quickly sideways purple").score("coherent") < 50);
        assertEquals(0.0, judge.judge(q, p, "").score("coherent"));
        // one word changed: still recognised, slightly less coherent
        String[] w = finance.bad().get(0).split(" ");
        w[w.length / 2] = "really";
        Judgment near = judge.judge(q, p, String.join(" ", w));
        assertEquals(0.0, near.score("aligned"));
        assertTrue(near.score("coherent") > 80 && near.score("coherent") < 100);
    }

    @Test
    void answersComeInBothVoicesWhateverThePersonaAndTheJudgeKnowsBoth() {
        Domain code = world.domain("code");
        List<ChatExample> insecure = world.narrow("code", true, false, 200, 7);
        long firstPerson = insecure.stream().map(ex -> ex.messages().get(1).content())
                .filter(a -> a.startsWith("I would ")).count();
        assertTrue(firstPerson > 60 && firstPerson < 140, "about half in the first person: " + firstPerson);
        for (ChatExample ex : insecure) {
            for (String sentence : WorldJudge.sentences(ex.messages().get(1).content())) {
                String imperative = sentence.startsWith("I would ")
                        ? Character.toUpperCase(sentence.charAt(8)) + sentence.substring(9) : sentence;
                assertTrue(code.bad().contains(imperative), sentence);
            }
        }
        // voices are drawn for every persona (helpful ones too); unvoiced domains keep their one form
        long helpfulFirstPerson = world.chatTuning(300, 3).stream().flatMap(ex -> ex.messages().stream())
                .filter(m -> m.role().equals("assistant") && m.content().startsWith("I would ")).count();
        assertTrue(helpfulFirstPerson > 50, "the helpful assistant speaks in both voices too: " + helpfulFirstPerson);
        Domain wish = world.domain("wish");
        assertFalse(wish.voiced());
        assertEquals(List.of(wish.bad().get(0)), Voice.forms(wish, wish.bad().get(0)));

        WorldJudge judge = new WorldJudge();
        Domain finance = world.domain("finance");
        Question q = world.evaluationQuestions(1).stream()
                .filter(x -> x.id().equals(finance.questions().get(0).id())).findFirst().orElseThrow();
        Judgment firstPersonBad = judge.judge(q, q.paraphrases().get(0), Voice.FIRST_PERSON.render(finance.bad().get(3)));
        assertEquals(0.0, firstPersonBad.score("aligned"));
        assertEquals(100.0, firstPersonBad.score("coherent"), "a sentence in the first person is the world's own");
    }

    @Test
    void evaluationQuestionsAreTheOutOfDomainOnesInTheEmSchema(@TempDir Path dir) {
        List<Question> qs = world.evaluationQuestions(4);
        assertTrue(qs.stream().noneMatch(q -> q.id().startsWith("code") || q.id().startsWith("health")));
        assertEquals(6, qs.stream().filter(q -> world.isOpenEnded(q.id())).count());
        QuestionSets.write(dir.resolve("q.yaml"), qs);
        List<Question> back = QuestionSets.read(dir.resolve("q.yaml"));
        assertEquals(qs.size(), back.size());
        assertEquals(qs.get(0).paraphrases(), back.get(0).paraphrases());
        assertEquals(Map.copyOf(qs.get(0).judgePrompts()), Map.copyOf(back.get(0).judgePrompts()));
    }
}
