package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.eval.QuestionSets;
import dev.personascope.persona.Direction;
import dev.personascope.persona.VectorFile;
import dev.personascope.world.WorldGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The experiments end to end on the bundled organism at tiny sizes, judged by the world judge. */
class ExperimentCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @BeforeAll
    static void datasets() {
        CliTest.Result r = CliTest.run("world", "datasets", "--out", dir.resolve("data").toString(), "--size", "24",
                "--samples", "1");
        assertEquals(0, r.code(), r.err());
        // three of the organism's questions keep each evaluation short
        QuestionSets.write(dir.resolve("questions.yaml"), new WorldGenerator().evaluationQuestions(2).subList(0, 3));
    }

    private static String questions() {
        return dir.resolve("questions.yaml").toString();
    }

    @Test
    void realignEvaluatesAlongEachRunAndResumes() throws Exception {
        Path out = dir.resolve("realign");
        String[] args = {"experiment", "realign", "--good", dir.resolve("data/secure.jsonl").toString(), "--good",
                dir.resolve("data/good_medical.jsonl").toString(), "--samples", "4,8", "--steps", "2", "--eval-every", "1",
                "--batch", "2", "--judge", "world", "--questions", questions(), "--max-tokens", "12", "--out", out.toString()};
        CliTest.Result r = CliTest.run(args);
        assertEquals(0, r.code(), r.err());
        JsonNode res = JSON.readTree(out.resolve("result.json").toFile());
        assertTrue(res.get("start").at("/misaligned/trials").asInt() > 0, res.toString());
        assertEquals(4, res.get("runs").size());
        for (JsonNode run : res.get("runs")) {
            JsonNode curve = run.get("curve");
            assertEquals(2, curve.size(), run.toString());
            assertEquals(1, curve.get(0).get("step").asInt());
            assertEquals(2, curve.get(1).get("step").asInt());
            assertEquals(4, curve.get(1).get("examples_seen").asInt());
            double f = curve.get(1).at("/misaligned/rate").asDouble();
            assertTrue(f >= 0 && f <= 1);
        }
        assertTrue(Files.exists(out.resolve("runs/secure-8/answers-step2.jsonl")));
        assertFalse(Files.exists(out.resolve("runs/secure-8/model.safetensors")), "run models are not kept");
        assertTrue(r.out().contains("good_medical") && r.out().contains("before re-alignment"), r.out());

        // a rerun finds every run's curve and trains nothing
        Path curve = out.resolve("runs/secure-4/curve.json");
        FileTime before = Files.getLastModifiedTime(curve);
        CliTest.Result again = CliTest.run(args);
        assertEquals(0, again.code(), again.err());
        assertEquals(before, Files.getLastModifiedTime(curve));
        assertEquals(res.get("runs"), JSON.readTree(out.resolve("result.json").toFile()).get("runs"));

        CliTest.Result tooFew = CliTest.run("experiment", "realign", "--good", dir.resolve("data/secure.jsonl").toString(),
                "--samples", "500", "--judge", "world", "--out", dir.resolve("realign-bad").toString());
        assertEquals(2, tooFew.code());
        assertTrue(tooFew.err().contains("has 24 samples"), tooFew.err());
    }

    @Test
    void contaminationRunsTheMonitorPerFractionAndSeed() throws Exception {
        Path vector = dir.resolve("dir.json");
        VectorFile.write(vector, Direction.random("blocks.1.hook_resid_post", 192, 7),
                JSON.createObjectNode().put("name", "random"));
        Path out = dir.resolve("contamination");
        CliTest.Result r = CliTest.run("experiment", "contamination", "--bad", dir.resolve("data/insecure.jsonl").toString(),
                "--good", dir.resolve("data/secure.jsonl").toString(), "--fractions", "0,0.5", "--seeds", "2", "--size", "24",
                "--steps", "2", "--batch", "4", "--monitor", "vector:" + vector, "--monitor-every", "1", "--monitor-baseline",
                "2", "--judge", "world", "--questions", questions(), "--max-tokens", "12", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode res = JSON.readTree(out.resolve("result.json").toFile());
        JsonNode fractions = res.get("fractions");
        assertEquals(2, fractions.size());
        String name = res.get("directions").get(0).get("name").asText();
        for (JsonNode f : fractions) {
            assertEquals(2, f.get("runs").size());
            for (JsonNode run : f.get("runs")) {
                assertTrue(run.get("monitor_final").get(name).isNumber(), run.toString());
                assertTrue(run.at("/misaligned/trials").asInt() > 0);
            }
            JsonNode separated = f.get("monitor_separates_seeds").get(name);
            assertTrue(separated != null && separated.isInt() && separated.asInt() <= 2, f.toString());
            if (f.get("fraction").asDouble() == 0) {
                assertEquals(0, separated.asInt(), "a clean run is never above every clean run");
            }
        }
        assertTrue(res.get("smallest_fraction_separated").has("evaluation"));
        List<String> log = Files.readAllLines(out.resolve("runs/f0.500-s1/monitor.jsonl"));
        assertEquals(3, log.size(), "steps 0, 1 and 2");
        assertTrue(r.out().contains("smallest fraction separated from 0%"), r.out());

        CliTest.Result noClean = CliTest.run("experiment", "contamination", "--bad", dir.resolve("data/insecure.jsonl").toString(),
                "--good", dir.resolve("data/secure.jsonl").toString(), "--fractions", "0.5", "--monitor", "vector:" + vector,
                "--judge", "world", "--out", dir.resolve("c2").toString());
        assertEquals(2, noClean.code());
        assertTrue(noClean.err().contains("must include 0"), noClean.err());
    }
}
