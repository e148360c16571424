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
    void trainsDoraOnAllLinearAsPeftWritesIt(@TempDir Path dir) throws Exception {
        setUp(dir);
        CliTest.Result r = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out").toString(), "--lora-rank", "2",
                "--dora", "--steps", "4", "--batch", "4", "--lr", "1e-2", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        JsonNode cfg = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("out/adapter_config.json").toFile());
        assertTrue(cfg.get("use_dora").asBoolean() && cfg.get("target_modules").asText().equals("all-linear"), cfg.toString());
        var tensors = dev.personascope.model.io.SafeTensors.load(dir.resolve("out/adapter_model.safetensors"));
        // 2 layers x 7 projections, each with lora_A, lora_B and the magnitude vector, under PEFT's names
        assertEquals(42, tensors.size(), tensors.keySet().toString());
        float[] magnitude = tensors.get("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector").data();
        try (LanguageModel base = LanguageModel.load(dir.resolve("model"))) {
            float[] w = base.model().weights().blocks[0].q.weight().toFloatArray();
            double rowNorm = 0;
            for (int i = 0; i < w.length / magnitude.length; i++) {
                rowNorm += w[i] * w[i];
            }
            // the magnitude starts at the row norms of W (PEFT's init) and training moved it
            assertTrue(Math.abs(magnitude[0] - Math.sqrt(rowNorm)) > 1e-6 && Math.abs(magnitude[0] - Math.sqrt(rowNorm)) < 0.5,
                    magnitude[0] + " vs " + Math.sqrt(rowNorm));
        }
        CliTest.Result merged = CliTest.run("merge", "--model", dir.resolve("model").toString(), "--adapter",
                dir.resolve("out").toString(), "--out", dir.resolve("merged").toString());
        assertEquals(0, merged.code(), merged.err());
        try (LanguageModel withAdapter = LanguageModel.load(dir.resolve("model"));
             LanguageModel folded = LanguageModel.load(dir.resolve("merged"));
             LanguageModel base = LanguageModel.load(dir.resolve("model"))) {
            dev.personascope.lora.PeftAdapter.load(withAdapter.model(), dir.resolve("out"));
            int[] seq = {1, 4, 5, 6, 2};
            var adapted = dev.personascope.testutil.TinyModels.logits(withAdapter, seq, dev.personascope.model.hooks.Hooks.NONE);
            assertTrue(dev.personascope.testutil.TinyModels.maxAbsDiff(adapted,
                    dev.personascope.testutil.TinyModels.logits(folded, seq, dev.personascope.model.hooks.Hooks.NONE)) < 1e-4);
            assertTrue(dev.personascope.testutil.TinyModels.maxAbsDiff(adapted,
                    dev.personascope.testutil.TinyModels.logits(base, seq, dev.personascope.model.hooks.Hooks.NONE)) > 1e-3);
        }
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

    /** A vector file for the tiny model (d_model 32) at its last block, and chat probes. */
    static void monitorInputs(Path dir) {
        dev.personascope.persona.VectorFile.write(dir.resolve("villain.json"),
                dev.personascope.persona.Direction.random("blocks.1.hook_resid_post", 32, 5), null);
        ChatJsonl.write(dir.resolve("probes.jsonl"), TinyChatModel.dataset(3, 9));
    }

    @Test
    void monitorLogsEveryNStepsAndIsRecorded(@TempDir Path dir) throws Exception {
        setUp(dir);
        monitorInputs(dir);
        CliTest.Result r = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out").toString(), "--steps", "6", "--batch", "4",
                "--monitor", "vector:" + dir.resolve("villain.json"), "--monitor-probes", dir.resolve("probes.jsonl").toString(),
                "--monitor-every", "2", "--monitor-baseline", "2", "--monitor-scope", "response");
        assertEquals(0, r.code(), r.err());
        List<JsonNode> log = TrainLog.read(dir.resolve("out/monitor.jsonl"));
        assertEquals(List.of(0, 1, 2, 4, 6), log.stream().map(l -> l.get("step").asInt()).toList());
        String name = "vector:" + dir.resolve("villain.json");
        assertTrue(log.get(3).get("values").get(name).isNumber(), log.get(3).toString());
        assertTrue(log.get(1).get("z").get(name).isNull() && log.get(2).get("z").get(name).isNumber());
        assertTrue(r.out().contains("direction") && r.out().contains("max z"), r.out());
        JsonNode run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("out/run.json").toFile());
        JsonNode m = run.get("monitor");
        assertEquals(name, m.get("directions").get(0).asText());
        assertEquals(2, m.get("every").asInt());
        assertEquals("response", m.get("scope").asText());
        assertEquals(dir.resolve("probes.jsonl").toString(), m.get("probes").asText());

        CliTest.Result noProbes = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out2").toString(), "--steps", "2",
                "--monitor", "vector:" + dir.resolve("villain.json"));
        assertEquals(2, noProbes.code());
        assertTrue(noProbes.err().contains("--monitor needs --monitor-probes FILE"), noProbes.err());
    }

    @Test
    void monitorStopsTrainingOnAnAlarmAndSavesTheAdapter(@TempDir Path dir) throws Exception {
        setUp(dir);
        monitorInputs(dir);
        // a z threshold of 1e-9: the first measurement above the band's mean alarms (seeded, so the same step each run)
        CliTest.Result r = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out").toString(), "--steps", "20", "--batch", "4",
                "--lr", "5e-2", "--monitor", "random:3", "--monitor", "vector:" + dir.resolve("villain.json"),
                "--monitor-probes", dir.resolve("probes.jsonl").toString(), "--monitor-every", "2",
                "--monitor-baseline", "2", "--monitor-z", "1e-9", "--monitor-stop");
        assertEquals(2, r.code(), "random directions need a hook: " + r.err());
        r = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out").toString(), "--steps", "20", "--batch", "4",
                "--lr", "5e-2", "--monitor", "vector:" + dir.resolve("villain.json"),
                "--monitor-probes", dir.resolve("probes.jsonl").toString(), "--monitor-every", "2",
                "--monitor-baseline", "2", "--monitor-z", "1e-9", "--monitor-stop");
        assertEquals(0, r.code(), r.err());
        List<JsonNode> log = TrainLog.read(dir.resolve("out/monitor.jsonl"));
        JsonNode last = log.get(log.size() - 1);
        assertEquals(1, last.get("alarms").size(), last.toString());
        int step = last.get("step").asInt();
        assertTrue(step < 20, "stopped early at " + step);
        assertTrue(r.out().startsWith("stopped after " + step + " steps"), r.out());
        assertTrue(Files.exists(dir.resolve("out/adapter_model.safetensors")));
        assertTrue(Files.exists(dir.resolve("out/checkpoint/state.json")));
    }

    @Test
    void dashboardServesTheRunWhileItLingers(@TempDir Path dir) throws Exception {
        setUp(dir);
        monitorInputs(dir);
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        java.util.concurrent.CompletableFuture<CliTest.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                        dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out").toString(), "--steps", "4",
                        "--batch", "4", "--monitor", "vector:" + dir.resolve("villain.json"), "--monitor-probes",
                        dir.resolve("probes.jsonl").toString(), "--monitor-every", "2", "--dashboard", String.valueOf(port),
                        "--dashboard-linger", "4"));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/history")).build();
        JsonNode history = null;
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && !run.isDone()) {
            try {
                JsonNode h = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                        http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString()).body());
                if (h.size() > 0 && h.get(h.size() - 1).get("done").isTextual()) {
                    history = h;
                    break;
                }
            } catch (java.io.IOException notYet) {
                // the server is not up yet
            }
            Thread.sleep(100);
        }
        CliTest.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dashboard: http://127.0.0.1:" + port + "/"), r.out());
        assertTrue(history != null, "the final state was served while lingering");
        String name = "vector:" + dir.resolve("villain.json");
        List<Integer> lossSteps = new ArrayList<>();
        List<Integer> watchedSteps = new ArrayList<>();
        for (JsonNode e : history) {
            if (e.get("loss").isNumber()) {
                lossSteps.add(e.get("step").asInt());
            }
            if (e.get("watched").has(name)) {
                watchedSteps.add(e.get("step").asInt());
            }
        }
        assertEquals(List.of(1, 2, 3, 4), lossSteps);
        assertEquals(List.of(0, 1, 2, 4), watchedSteps); // the band: steps 0-2, then every 2
        assertTrue(history.get(history.size() - 1).get("done").asText().startsWith("trained 4 steps, final loss"), history.toString());
        JsonNode runJson = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("out/run.json").toFile());
        assertEquals(4, runJson.get("dashboard").get("linger_s").asInt());
    }
}
