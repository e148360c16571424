package dev.personascope.cli;

import dev.personascope.eval.QuestionSets;
import dev.personascope.experiment.GridResult;
import dev.personascope.world.WorldGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code experiment grid} on the organism at tiny sizes: a 2 x 2 grid (learning rate x full or LoRA fine-tuning) runs
 * in one process and on {@code --spark local[2]} to the same bytes, resumes without training again, and a bad spec is
 * one error line naming the file and the field.
 */
class ExperimentGridTest {
    @TempDir
    static Path dir;

    static final String GRID = """
            data: data/insecure.jsonl
            lr: [0.0003, 0.001]
            lora_rank: [0, 4]
            steps: [2]
            seed: 5
            batch: 2
            questions: questions.yaml
            judge: world
            max_tokens: 12
            """;

    @BeforeAll
    static void data() throws Exception {
        CliTest.Result r = CliTest.run("world", "datasets", "--out", dir.resolve("data").toString(), "--size", "24",
                "--samples", "1");
        assertEquals(0, r.code(), r.err());
        QuestionSets.write(dir.resolve("questions.yaml"), new WorldGenerator().evaluationQuestions(1).subList(0, 1));
        Files.writeString(dir.resolve("grid.yaml"), GRID);
    }

    private static CliTest.Result grid(Path spec, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("experiment", "grid", "--spec", spec.toString(), "--out", out.toString()));
        a.addAll(List.of(extra));
        return CliTest.run(a.toArray(String[]::new));
    }

    @Test
    void sparkWritesWhatOneProcessWritesAndARerunTrainsNothing() throws Exception {
        Path local = dir.resolve("local");
        CliTest.Result one = grid(dir.resolve("grid.yaml"), local);
        assertEquals(0, one.code(), one.err());
        Path spark = dir.resolve("spark");
        CliTest.Result r = grid(dir.resolve("grid.yaml"), spark, "--spark", "local[2]");
        assertEquals(0, r.code(), r.err());

        GridResult res = GridResult.read(local.resolve("results.json"));
        assertEquals(4, res.points().size());
        List<String> files = new ArrayList<>(List.of("results.json", "results.csv"));
        for (GridResult.Point p : res.points()) {
            assertTrue(p.misaligned().trials() > 0, p.toString());
            files.add("points/" + p.settings().id() + "/point.json");
            files.add("points/" + p.settings().id() + "/answers.jsonl");
        }
        assertEquals("lr0.0003-full-steps2-seed5", res.points().get(0).settings().id());
        assertEquals("lr0.001-lora4-steps2-seed5", res.points().get(3).settings().id());
        for (String f : files) {
            assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(spark.resolve(f)), f);
        }
        assertEquals(1 + 4, Files.readAllLines(local.resolve("results.csv")).size());
        assertFalse(Files.exists(local.resolve("points/lr0.001-full-steps2-seed5/train/model.safetensors")),
                "fully fine-tuned weights are not kept");
        String html = Files.readString(spark.resolve("results.html"));
        assertTrue(html.contains("<svg") && html.contains("Misaligned answers against lr")
                && html.contains("Misaligned answers against lora_rank"), html);
        assertTrue(html.contains("lora_rank 4") && html.contains("lr 0.001"), "a line per other setting");

        // every point is done: a rerun trains nothing and writes the same results
        Path point = local.resolve(files.get(2));
        FileTime before = Files.getLastModifiedTime(point);
        CliTest.Result again = grid(dir.resolve("grid.yaml"), local);
        assertEquals(0, again.code(), again.err());
        assertEquals(before, Files.getLastModifiedTime(point));
        assertArrayEquals(Files.readAllBytes(spark.resolve("results.json")), Files.readAllBytes(local.resolve("results.json")));

        // points made with other shared settings are never taken for this grid's
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, GRID.replace("max_tokens: 12", "max_tokens: 13"));
        CliTest.Result refused = grid(other, local);
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().startsWith("error: " + local.resolve("grid.json")) && refused.err().contains("max_tokens")
                && refused.err().strip().lines().count() == 1, refused.err());
    }

    @Test
    void aBadSpecIsOneLineNamingTheFileAndField() throws Exception {
        for (String[] bad : new String[][] {
                {GRID + "learning_rate: 0.1\n", "learning_rate: unknown field"},
                {GRID.replace("data: data/insecure.jsonl\n", ""), "data: missing"},
                {GRID.replace("lr: [0.0003, 0.001]", "lr: [0.0003, fast]"), "lr[1]: 'fast' is not a number"},
                {GRID.replace("lr: [0.0003, 0.001]", "lr: [0.0003, 0.001]]"), "invalid YAML"},
                {GRID.replace("lora_rank: [0, 4]", "lora_rank: [4, 4]"), "lora_rank: 4 is listed twice"},
                {GRID.replace("steps: [2]", "steps: [0]"), "steps: must be >= 1, got 0"},
                {GRID + "fraction: [0, 0.5]\n", "fraction: needs good"},
                {GRID.replace("judge: world", "judge: {url: http://127.0.0.1:9/v1}"), "judge.name: missing"}}) {
            Path spec = dir.resolve("bad.yaml");
            Files.writeString(spec, bad[0]);
            CliTest.Result r = grid(spec, dir.resolve("bad"));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith("error: " + spec + ": ") && r.err().contains(bad[1])
                    && r.err().strip().lines().count() == 1, r.err());
        }
        assertFalse(Files.exists(dir.resolve("bad/results.json")));
    }
}
