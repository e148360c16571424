package dev.personascope.cli;

import dev.personascope.eval.QuestionSets;
import dev.personascope.world.WorldGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code eval} and {@code sae harvest} with {@code --spark local[N]} on the organism write, byte for byte, what the
 * single-process run writes (answers sampled in batches, each batch a Spark task with the seeds it has in one process;
 * activations in chunks of documents, each chunk a task).
 */
class SparkLocalTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void questions() {
        QuestionSets.write(dir.resolve("questions.yaml"), new WorldGenerator().evaluationQuestions(3).subList(0, 4));
    }

    private static String[] eval(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("eval", "--questions", dir.resolve("questions.yaml").toString(),
                "--judge", "world", "--max-tokens", "16", "--batch", "5", "--seed", "7", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void sparkWritesWhatOneProcessWrites() throws Exception {
        Path local = dir.resolve("local");
        CliTest.Result one = CliTest.run(eval(local));
        assertEquals(0, one.code(), one.err());
        for (String master : List.of("local[2]", "local[3]")) {
            Path spark = dir.resolve("spark-" + master.charAt(6));
            CliTest.Result r = CliTest.run(eval(spark, "--spark", master));
            assertEquals(0, r.code(), r.err());
            for (String f : List.of("samples.jsonl", "answers.jsonl", "result.json")) {
                assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(spark.resolve(f)), master + " " + f);
            }
            try (Stream<Path> s = Files.list(spark)) {
                assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("pieces-")), "pieces are removed");
            }
        }
    }

    @Test
    void aFinishedRunIsReusedAndAWrongMasterIsOneLine() throws Exception {
        Path out = dir.resolve("resume");
        CliTest.Result first = CliTest.run(eval(out, "--spark", "local[2]"));
        assertEquals(0, first.code(), first.err());
        byte[] samples = Files.readAllBytes(out.resolve("samples.jsonl"));
        FileTime sampled = Files.getLastModifiedTime(out.resolve("samples.jsonl"));
        CliTest.Result again = CliTest.run(eval(out, "--spark", "local[2]"));
        assertEquals(0, again.code(), again.err());
        assertEquals(sampled, Files.getLastModifiedTime(out.resolve("samples.jsonl")), "not sampled again");
        assertArrayEquals(samples, Files.readAllBytes(out.resolve("samples.jsonl")));

        CliTest.Result bad = CliTest.run(eval(dir.resolve("bad"), "--spark", "nonsense://x"));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().startsWith("error: ") && bad.err().strip().lines().count() == 1, bad.err());
    }

    @Test
    void harvestOnSparkWritesTheSameChunks() throws Exception {
        Path local = dir.resolve("store-local");
        Path spark = dir.resolve("store-spark");
        for (Path out : List.of(local, spark)) {
            List<String> a = new java.util.ArrayList<>(List.of("sae", "harvest", "--model", "assets/organism", "--hook",
                    "blocks.1.hook_resid_post", "--documents", "40", "--chunk-tokens", "3000", "--out", out.toString()));
            if (out == spark) {
                a.addAll(List.of("--spark", "local[2]"));
            }
            CliTest.Result r = CliTest.run(a.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
        }
        List<String> names;
        try (Stream<Path> s = Files.list(local)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(List.of("chunk-00000.safetensors", "chunk-00001.safetensors", "chunk-00002.safetensors", "store.json"),
                names, "40 documents, 16 per chunk");
        try (Stream<Path> s = Files.list(spark)) {
            assertEquals(names, s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String f : names) {
            assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(spark.resolve(f)), f);
        }
    }
}
