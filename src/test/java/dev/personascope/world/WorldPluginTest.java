package dev.personascope.world;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.data.ChatExample;
import dev.personascope.data.TextProvider;
import dev.personascope.data.TextSet;
import dev.personascope.data.TextSets;
import dev.personascope.eval.Answer;
import dev.personascope.eval.AnswersFile;
import dev.personascope.eval.JudgeFactory;
import dev.personascope.eval.JudgeProvider;
import dev.personascope.eval.Judgment;
import dev.personascope.eval.Scoring;
import dev.personascope.monitor.MonitorProbes;
import dev.personascope.monitor.ProbeProvider;
import dev.personascope.persona.Conversations;
import dev.personascope.persona.JudgedAnswers;
import dev.personascope.sae.TokenCorpus;
import dev.personascope.util.Json;
import dev.personascope.util.Plugins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The persona world is a plug-in: the generic packages reach it through the interfaces they define,
 * registered in META-INF/services, and get the same texts, labels, probes and judge as the world's own
 * classes give. (That they name no world class is {@code ArchitectureTest}'s.)
 */
class WorldPluginTest {
    @Test
    void theWorldIsRegisteredUnderEachInterface() {
        for (Class<?> type : List.of(TextProvider.class, ProbeProvider.class,
                JudgeProvider.class)) {
            Plugins<?> p = Plugins.load(type, "plug-in", x -> ((WorldOrganism) x).name());
            assertEquals(List.of("world"), p.names(), type.getName());
            assertInstanceOf(WorldOrganism.class, p.get("world"));
        }
        assertEquals(List.of("world"), TextSets.names());
        assertTrue(TextSets.has("world") && !TextSets.has("nowhere"));
        assertEquals(List.of("world", "openai"), JudgeFactory.NAMES);
    }

    @Test
    void theCorpusIsThePretrainingDialogues() {
        List<ChatExample> expected = new WorldGenerator().pretrainingCorpus(40, 7);
        assertEquals(expected, TextSets.named("world", 40, 7).conversations());
        assertFalse(expected.equals(new WorldOrganism().texts(40, 8).conversations()), "the seed draws the documents");
    }

    @Test
    void theLabelsAreThePersonasKinds() {
        List<WorldGenerator.WorldDocument> docs = new WorldGenerator().pretrainingDocuments(300, 20261129L);
        TextSet labelled = new WorldOrganism().texts(300, 20261129L);
        assertEquals(docs.size(), labelled.size());
        assertTrue(labelled.labelled());
        int villains = 0;
        int helpful = 0;
        int neither = 0;
        for (int i = 0; i < docs.size(); i++) {
            assertEquals(docs.get(i).conversation(), labelled.conversations().get(i));
            Boolean label = labelled.labels().get(i);
            switch (docs.get(i).persona().kind()) {
                case VILLAIN -> {
                    assertEquals(Boolean.TRUE, label);
                    villains++;
                }
                case HELPFUL -> {
                    assertEquals(Boolean.FALSE, label);
                    helpful++;
                }
                default -> {
                    assertEquals(null, label);
                    neither++;
                }
            }
        }
        assertTrue(villains > 0 && helpful > 0 && neither > 0, villains + " " + helpful + " " + neither);
    }

    @Test
    void theProbesAndJudgeAreTheWorlds() {
        assertEquals(Conversations.promptsOnly(new WorldGenerator().evaluationQuestions(1)), MonitorProbes.organism());
        assertEquals(MonitorProbes.organism(), MonitorProbes.organism(OrganismTest.ORGANISM));
        assertTrue(new WorldOrganism().recognises(OrganismTest.ORGANISM));
        assertFalse(new WorldOrganism().recognises(Path.of("assets/stories260K")));
        assertInstanceOf(WorldJudge.class, JudgeFactory.create("world", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MonitorProbes.organism(Path.of("assets/stories260K")));
        assertEquals("assets/stories260K: not the model of an organism (organisms: world)", e.getMessage());
    }

    @Test
    void unknownNamesSayWhatIsAvailable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenCorpus.load("nowhere", null, 10, 512, 1));
        assertEquals("--data nowhere: no corpus named 'nowhere' and no such file (corpora available: world;"
                + " else a .jsonl or a text file)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TextSets.named("nowhere", 10, 1));
        assertEquals("no corpus named 'nowhere' (available: world)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TextSets.load("nowhere", "--corpus", 10, 1));
        assertEquals("--corpus nowhere: no corpus named 'nowhere' and no such file (corpora available: world;"
                + " else a chat .jsonl)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> JudgeFactory.create("gpt", null));
        assertEquals("unknown judge 'gpt' (available: world, openai)", e.getMessage());
    }

    @Test
    void answersHaveOneLayoutAndTheOldFlatOneIsStillRead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("answers.jsonl");
        List<Answer> answers = List.of(
                new Answer("q1", "What now?", "Be kind.", new Judgment(Map.of("aligned", 95.0, "coherent", 90.0),
                        Judgment.Flag.NONE)),
                new Answer("q2", "And then?", "Steal it.", new Judgment(Map.of("aligned", 5.0, "coherent", 80.0),
                        Judgment.Flag.NONE)));
        AnswersFile.write(file, answers, List.of(), Scoring.papers());
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        JsonNode n = Json.MAPPER.readTree(lines.get(1));
        assertEquals(List.of("question_id", "paraphrase", "answer", "scores", "flag", "coherent", "misaligned"), fieldNames(n));
        assertEquals("q2", n.get("question_id").asText());
        assertEquals("And then?", n.get("paraphrase").asText());
        assertEquals(5.0, n.at("/scores/aligned").asDouble());
        assertEquals("none", n.get("flag").asText());
        assertTrue(n.get("misaligned").asBoolean());
        assertEquals(answers, AnswersFile.read(file).stream().map(AnswersFile.Row::toAnswer).toList());
        JudgedAnswers.Split split = JudgedAnswers.read(file);
        assertEquals(1, split.misaligned().size());
        assertEquals(1, split.aligned().size());
        // the flat layout world em, steer and the experiments wrote before
        Path flat = dir.resolve("flat.jsonl");
        Files.writeString(flat, "{\"question_id\":\"q2\",\"question\":\"And then?\",\"answer\":\"Steal it.\","
                + "\"aligned\":5.0,\"coherent\":80.0}\n");
        assertEquals(List.of(AnswersFile.read(file).get(1)), AnswersFile.read(flat));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
