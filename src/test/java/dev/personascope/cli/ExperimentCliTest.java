package dev.personascope.cli;

import dev.personascope.eval.QuestionSets;
import dev.personascope.experiment.ContaminationResult;
import dev.personascope.experiment.RealignmentResult;
import dev.personascope.monitor.MonitorLog;
import dev.personascope.persona.Direction;
import dev.personascope.persona.VectorFile;
import dev.personascope.util.Json;
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
        RealignmentResult res = RealignmentResult.read(out.resolve("result.json"));
        assertTrue(res.start().misaligned().trials() > 0, res.toString());
        assertEquals(4, res.runs().size());
        for (RealignmentResult.Run run : res.runs()) {
            List<RealignmentResult.CurvePoint> curve = run.curve();
            assertEquals(2, curve.size(), run.toString());
            assertEquals(1, curve.get(0).step());
            assertEquals(2, curve.get(1).step());
            assertEquals(4, curve.get(1).examplesSeen());
            double f = curve.get(1).misaligned().fraction();
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
        assertEquals(res.runs(), RealignmentResult.read(out.resolve("result.json")).runs());

        CliTest.Result tooFew = CliTest.run("experiment", "realign", "--good", dir.resolve("data/secure.jsonl").toString(),
                "--samples", "500", "--judge", "world", "--out", dir.resolve("realign-bad").toString());
        assertEquals(2, tooFew.code());
        assertTrue(tooFew.err().contains("has 24 samples"), tooFew.err());
    }

    @Test
    void contaminationRunsTheMonitorPerFractionAndSeed() throws Exception {
        Path vector = dir.resolve("dir.json");
        VectorFile.write(vector, Direction.random("blocks.1.hook_resid_post", 192, 7), null);
        Path out = dir.resolve("contamination");
        CliTest.Result r = CliTest.run("experiment", "contamination", "--bad", dir.resolve("data/insecure.jsonl").toString(),
                "--good", dir.resolve("data/secure.jsonl").toString(), "--fractions", "0,0.5", "--seeds", "2", "--size", "24",
                "--steps", "2", "--batch", "4", "--monitor", "vector:" + vector, "--monitor-every", "1", "--monitor-baseline",
                "2", "--judge", "world", "--questions", questions(), "--max-tokens", "12", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        ContaminationResult res = ContaminationResult.read(out.resolve("result.json"));
        List<ContaminationResult.Fraction> fractions = res.fractions();
        assertEquals(2, fractions.size());
        String name = res.directions().get(0).name();
        for (ContaminationResult.Fraction f : fractions) {
            assertEquals(2, f.runs().size());
            for (ContaminationResult.Outcome run : f.runs()) {
                assertTrue(Double.isFinite(run.monitorFinal().get(name)), run.toString());
                assertTrue(run.misaligned().trials() > 0);
            }
            // the fraction's rate pools its seeds' counts
            assertEquals(f.runs().stream().mapToInt(o -> o.misaligned().successes()).sum(), f.misaligned().successes());
            Integer separated = f.monitorSeparatesSeeds().get(name);
            assertTrue(separated != null && separated <= 2, f.toString());
            if (f.fraction() == 0) {
                assertEquals(0, separated, "a clean run is never above every clean run");
            }
        }
        assertTrue(res.smallestFractionSeparated().monitor().containsKey(name), res.toString());
        // each run's outcome.json is the run as the result lists it
        assertEquals(fractions.get(1).runs().get(1), Json.read(out.resolve("runs/f0.500-s1/outcome.json"),
                ContaminationResult.Outcome.class));
        List<MonitorLog.Line> log = MonitorLog.read(out.resolve("runs/f0.500-s1/monitor.jsonl"));
        assertEquals(List.of(0, 1, 2), log.stream().map(MonitorLog.Line::step).toList());
        assertTrue(r.out().contains("smallest fraction separated from 0%"), r.out());

        CliTest.Result noClean = CliTest.run("experiment", "contamination", "--bad", dir.resolve("data/insecure.jsonl").toString(),
                "--good", dir.resolve("data/secure.jsonl").toString(), "--fractions", "0.5", "--monitor", "vector:" + vector,
                "--judge", "world", "--out", dir.resolve("c2").toString());
        assertEquals(2, noClean.code());
        assertTrue(noClean.err().contains("must include 0"), noClean.err());
    }
}
