package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.data.ChatJsonl;
import dev.personascope.model.LanguageModel;
import dev.personascope.testutil.TinyChatModel;
import dev.personascope.train.TrainLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FinetuneCliTest {

    static Path setUp(Path dir) {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 1, 32, 2)) {
            ChatJsonl.write(dir.resolve("train.jsonl"), TinyChatModel.dataset(20, 1));
            ChatJsonl.write(dir.resolve("other.jsonl"), TinyChatModel.dataset(5, 2));
        }
        return dir;
    }

    @Test
    void finetunesWithLoraThenGeneratesAndInspectsWithTheAdapter(@TempDir Path dir) throws Exception {
        setUp(dir);
        CliTest.Result r = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--mix", dir.resolve("other.jsonl") + ":0.1", "--out",
                dir.resolve("out").toString(), "--lora-rank", "2", "--lora-targets", "q_proj,v_proj", "--lora-layers", "1",
                "--steps", "6", "--batch", "4", "--lr", "1e-2", "--seed", "3", "--val-fraction", "0.2");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(dir.resolve("out/adapter_model.safetensors")));
        String run = Files.readString(dir.resolve("out/run.json"));
        assertTrue(run.contains("\"train_examples\" : 16") && run.contains("\"fraction\" : 0.1"), run);
        List<JsonNode> log = TrainLog.read(dir.resolve("out/train_log.jsonl"));
        assertEquals(6, log.stream().filter(l -> l.has("loss")).count());
        assertTrue(log.get(log.size() - 1).has("val_loss"));

        CliTest.Result gen = CliTest.run("generate", "--model", dir.resolve("model").toString(), "--adapter",
                dir.resolve("out").toString(), "--prompt", "i feel bored", "--chat", "--max-tokens", "5");
        assertEquals(0, gen.code(), gen.err());
        CliTest.Result inspect = CliTest.run("inspect", "--model", dir.resolve("model").toString(), "--adapter",
                dir.resolve("out").toString());
        assertTrue(inspect.out().contains("LoRA adapter:   2 projections, rank 2"), inspect.out());
        CliTest.Result merged = CliTest.run("merge", "--model", dir.resolve("model").toString(), "--adapter",
                dir.resolve("out").toString(), "--out", dir.resolve("merged").toString());
        assertEquals(0, merged.code(), merged.err());
        try (LanguageModel withAdapter = LanguageModel.load(dir.resolve("model"));
             LanguageModel folded = LanguageModel.load(dir.resolve("merged"))) {
            dev.personascope.lora.PeftAdapter.load(withAdapter.model(), dir.resolve("out"));
            int[] seq = {1, 4, 5, 6, 2};
            assertTrue(dev.personascope.testutil.TinyModels.maxAbsDiff(
                    dev.personascope.testutil.TinyModels.logits(withAdapter, seq, dev.personascope.model.hooks.Hooks.NONE),
                    dev.personascope.testutil.TinyModels.logits(folded, seq, dev.personascope.model.hooks.Hooks.NONE)) < 1e-5);
        }
        CliTest.Result bad = CliTest.run("inspect", "--model", dir.resolve("model").toString(), "--adapter",
                dir.resolve("model").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("no adapter_config.json"), bad.err());
    }

    @Test
    void badDataAndOptionsGiveOneLineErrors(@TempDir Path dir) throws Exception {
        setUp(dir);
        Files.writeString(dir.resolve("bad.jsonl"), Files.readString(dir.resolve("train.jsonl")) + "{\"messages\": 5}\n");
        CliTest.Result r = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("bad.jsonl").toString(), "--out", dir.resolve("out").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.jsonl:21: expected an object with a non-empty 'messages' array"), r.err());
        CliTest.Result mix = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--mix", dir.resolve("other.jsonl") + ":2", "--out", dir.resolve("out").toString());
        assertEquals(2, mix.code());
        assertTrue(mix.err().contains("must be in [0, 1]"), mix.err());
        CliTest.Result rank = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--lora-rank", "300", "--out", dir.resolve("out").toString());
        assertTrue(rank.err().contains("LoRA rank must be in 1..256"), rank.err());
    }

    @Test
    void ctrlCSavesACheckpointThatResumes(@TempDir Path dir) throws Exception {
        setUp(dir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "dev.personascope.cli.Main",
                "finetune", "--model", dir.resolve("model").toString(), "--data", dir.resolve("train.jsonl").toString(),
                "--out", dir.resolve("out").toString(), "--steps", "100000", "--batch", "4", "--checkpoint-every", "0"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        Path log = dir.resolve("out/train_log.jsonl");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && (!Files.exists(log) || Files.readAllLines(log).size() < 3)) {
            Thread.sleep(100);
        }
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ends after Ctrl-C");
        String output = Files.readString(dir.resolve("log.txt"));
        assertTrue(output.contains("checkpoint saved"), output);
        JsonNode state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("out/checkpoint/state.json").toFile());
        int step = state.get("step").asInt();
        assertTrue(step >= 3, "saved at step " + step);
        assertEquals(step, TrainLog.read(log).size(), "the log holds exactly the saved steps");
        CliTest.Result resumed = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out").toString(), "--steps",
                String.valueOf(step + 2), "--batch", "4", "--checkpoint-every", "0", "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(step + 2, TrainLog.read(log).size());
    }
}
