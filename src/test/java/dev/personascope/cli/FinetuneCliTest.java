package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.data.ChatJsonl;
import dev.personascope.model.LanguageModel;
import dev.personascope.monitor.MonitorLog;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        List<TrainLog.Entry> log = TrainLog.read(dir.resolve("out/train_log.jsonl"));
        assertEquals(6, log.stream().filter(l -> l.loss() != null).count());
        assertNotNull(log.get(log.size() - 1).valLoss());

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

    static CliTest.Result finetune(Path dir, String model, String... more) {
        List<String> args = new ArrayList<>(List.of("finetune", "--model", model, "--data",
                dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out").toString(), "--batch", "4", "--lora-rank", "2"));
        args.addAll(List.of(more));
        return CliTest.run(args.toArray(String[]::new));
    }

    static void assertOneLineError(CliTest.Result r, String expected) {
        assertEquals(2, r.code(), r.err());
        assertEquals("error: " + expected, r.err().trim(), r.err());
    }

    @Test
    void aSecondRunIntoAFinishedRunIsRefusedUntilResumeOrOverwrite(@TempDir Path dir) throws Exception {
        setUp(dir);
        String model = dir.resolve("model").toString();
        Path out = dir.resolve("out");
        assertEquals(0, finetune(dir, model, "--steps", "3", "--checkpoint-every", "2").code());
        byte[] log = Files.readAllBytes(out.resolve("train_log.jsonl"));
        byte[] adapter = Files.readAllBytes(out.resolve("adapter_model.safetensors"));
        assertEquals(3, TrainLog.read(out.resolve("train_log.jsonl")).size());

        // the same command again: refused before the model is read (a missing one is not even noticed), nothing touched
        for (String m : List.of(model, dir.resolve("nowhere").toString())) {
            CliTest.Result again = finetune(dir, m, "--steps", "3");
            assertEquals(2, again.code(), again.err());
            String err = again.err().trim();
            assertTrue(err.startsWith("error: --out " + out + " already holds a previous run (train_log.jsonl, checkpoint, ")
                    && err.endsWith("): continue it with --resume, or replace it with --overwrite") && !err.contains("\n"), err);
        }
        assertOneLineError(finetune(dir, dir.resolve("nowhere").toString(), "--steps", "3", "--resume", "--seed", "9"),
                out + ": the checkpoint was made with a different configuration; resume with the same options"
                        + " (saved in checkpoint/state.json)");
        assertOneLineError(finetune(dir, model, "--steps", "3", "--resume", "--overwrite"),
                "--resume continues the run in --out and --overwrite replaces it: give one of them");
        // --overwrite with a model that cannot be loaded: the previous run stays whole
        assertOneLineError(finetune(dir, dir.resolve("nowhere").toString(), "--steps", "3", "--overwrite"),
                dir.resolve("nowhere") + ": no such file or folder");
        assertEquals(new String(log), Files.readString(out.resolve("train_log.jsonl")));
        assertTrue(java.util.Arrays.equals(adapter, Files.readAllBytes(out.resolve("adapter_model.safetensors"))));
        assertTrue(Files.exists(out.resolve("checkpoint/state.json")));

        CliTest.Result replaced = finetune(dir, model, "--steps", "2", "--overwrite");
        assertEquals(0, replaced.code(), replaced.err());
        assertEquals(2, TrainLog.read(out.resolve("train_log.jsonl")).size(), "the new run's log alone");
        assertTrue(!Files.exists(out.resolve("checkpoint")), "the previous run's checkpoint would resume the wrong run");
        assertTrue(!java.util.Arrays.equals(adapter, Files.readAllBytes(out.resolve("adapter_model.safetensors"))));

        assertOneLineError(finetune(dir, dir.resolve("nowhere").toString(), "--steps", "4", "--resume"),
                "--resume: " + out + " holds no checkpoint to continue from (checkpoint/state.json)");
    }

    @Test
    void aTornLastLogLineDoesNotBlockResume(@TempDir Path dir) throws Exception {
        setUp(dir);
        String model = dir.resolve("model").toString();
        Path log = dir.resolve("out/train_log.jsonl");
        assertEquals(0, finetune(dir, model, "--steps", "4", "--checkpoint-every", "2").code());
        Files.writeString(log, "{\"step\":5,\"epoch\":1,\"lo", java.nio.file.StandardOpenOption.APPEND); // killed mid-line
        CliTest.Result r = finetune(dir, model, "--steps", "6", "--checkpoint-every", "2", "--resume");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(1, 2, 3, 4, 5, 6), TrainLog.read(log).stream().map(TrainLog.Entry::step).toList());

        // a damaged line that is not the last is named, with its cause
        List<String> lines = Files.readAllLines(log);
        lines.set(1, lines.get(1).substring(0, 10));
        Files.write(log, lines);
        CliTest.Result bad = finetune(dir, model, "--steps", "6", "--checkpoint-every", "2", "--resume");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().trim().startsWith("error: " + log + ":2: not valid JSON: "), bad.err());
    }

    @Test
    void outputAndDataProblemsAreNamedBeforeTheModelIsLoaded(@TempDir Path dir) throws Exception {
        setUp(dir);
        String nowhere = dir.resolve("nowhere").toString(); // a model that is never reached
        Path file = dir.resolve("afile");
        Files.writeString(file, "keep me");
        String data = dir.resolve("train.jsonl").toString();
        assertOneLineError(CliTest.run("finetune", "--model", nowhere, "--data", data, "--out", file.toString()),
                "--out " + file + " is a file, not a folder");
        assertEquals("keep me", Files.readString(file));
        assertOneLineError(CliTest.run("finetune", "--model", nowhere, "--data", data, "--out", file.resolve("sub").toString()),
                "--out " + file.resolve("sub") + ": cannot create the folder: " + file + " is a file");
        Path missing = dir.resolve("missing.jsonl");
        assertOneLineError(CliTest.run("finetune", "--model", nowhere, "--data", missing.toString(), "--out",
                dir.resolve("out").toString()), "--data " + missing + ": no such file");
        assertOneLineError(CliTest.run("finetune", "--model", nowhere, "--data", dir.toString(), "--out",
                dir.resolve("out").toString()), "--data " + dir + ": is a folder, not a file of lines");
        assertOneLineError(CliTest.run("finetune", "--model", nowhere, "--data", data, "--mix", missing + ":0.1", "--out",
                dir.resolve("out").toString()), "--mix " + missing + ": no such file");
    }

    @Test
    void anUnwritableOutputFolderIsNamedBeforeTheModelIsLoaded(@TempDir Path dir) throws Exception {
        setUp(dir);
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(locked), "permissions do not bind this user (root)");
            assertOneLineError(CliTest.run("finetune", "--model", dir.resolve("nowhere").toString(), "--data",
                    dir.resolve("train.jsonl").toString(), "--out", locked.toString()),
                    "--out " + locked + ": cannot write in this folder (permission denied)");
            assertOneLineError(CliTest.run("finetune", "--model", dir.resolve("nowhere").toString(), "--data",
                    dir.resolve("train.jsonl").toString(), "--out", locked.resolve("sub").toString()),
                    "--out " + locked.resolve("sub") + ": cannot create the folder (permission denied)");
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void answersPastMaxLengthAreRefusedWithTheCounts(@TempDir Path dir) throws Exception {
        setUp(dir);
        CliTest.Result r = finetune(dir, dir.resolve("model").toString(), "--steps", "3", "--max-length", "8");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().trim().startsWith("error: 20 of 20 training examples have no answer token within --max-length 8"),
                r.err());
        assertTrue(!Files.exists(dir.resolve("out/train_log.jsonl")));
    }

    /** finetune in its own JVM (signals must reach it alone), its output in {@code output}. */
    static Process startFinetune(Path dir, Path output, String... more) throws java.io.IOException {
        return startFinetune(List.of(), dir, output, more);
    }

    static Process startFinetune(List<String> prefix, Path dir, Path output, String... more) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "dev.personascope.cli.Main",
                "finetune", "--model", dir.resolve("model").toString(), "--data", dir.resolve("train.jsonl").toString(),
                "--out", dir.resolve("out").toString(), "--batch", "4", "--checkpoint-every", "0"));
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** Waits, up to a generous bound, until the log has more than {@code lines} lines; fails early if the process ends. */
    static void awaitLogLines(Process p, Path log, int lines, Path output) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(log) || TrainLog.read(log).size() <= lines) {
            assertTrue(p.isAlive(), "finetune ended before logging " + lines + " steps:\n" + Files.readString(output));
            assertTrue(System.nanoTime() < deadline, "finetune logged fewer than " + lines + " steps in 5 minutes:\n"
                    + Files.readString(output));
            p.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends SIGINT (Ctrl-C), or SIGTERM where the process ignores SIGINT: a build started as a background job of a
     * script hands its processes SIGINT ignored, which a JVM cannot undo. Both stop training with a checkpoint.
     */
    static String interrupt(Process p) throws Exception {
        String signal = "INT";
        try {
            for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status"))) {
                if (l.startsWith("SigIgn:") && (Long.parseLong(l.substring(7).trim(), 16) & 2) != 0) {
                    signal = "TERM";
                }
            }
        } catch (java.io.IOException notLinux) {
            // no /proc: send SIGINT
        }
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor());
        return signal;
    }

    /** The process ends within two minutes; if not, a thread dump goes into its output and the test fails with it. */
    static int awaitEnd(Process p, Path output) throws Exception {
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            new ProcessBuilder("kill", "-QUIT", String.valueOf(p.pid())).start().waitFor();
            p.waitFor(5, TimeUnit.SECONDS);
            p.destroyForcibly();
            org.junit.jupiter.api.Assertions.fail("finetune did not end within 2 minutes of the signal:\n" + Files.readString(output));
        }
        return p.exitValue();
    }

    @Test
    void ctrlCSavesACheckpointThatResumes(@TempDir Path dir) throws Exception {
        setUp(dir);
        Path log = dir.resolve("out/train_log.jsonl");
        Path output = dir.resolve("log.txt");
        Process p = startFinetune(dir, output, "--steps", "100000");
        try {
            awaitLogLines(p, log, 2, output);
            String signal = interrupt(p);
            assertEquals(signal.equals("INT") ? 130 : 143, awaitEnd(p, output), Files.readString(output));
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(output);
        assertTrue(text.contains("checkpoint saved"), text);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        int step = json.readTree(dir.resolve("out/checkpoint/state.json").toFile()).get("step").asInt();
        assertTrue(step >= 3, "saved at step " + step);
        assertEquals(step, TrainLog.read(log).size(), "the log holds exactly the saved steps");

        // a resumed run started with SIGINT ignored, as a script's background job is: it says so, and kill
        // (SIGTERM) stops it the same way
        Process q = startFinetune(List.of("/bin/sh", "-c", "trap '' INT; exec \"$@\"", "sh"), dir, output,
                "--steps", "100000", "--resume");
        try {
            awaitLogLines(q, log, step + 1, output);
            assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(q.pid())).start().waitFor());
            assertEquals(143, awaitEnd(q, output), Files.readString(output));
        } finally {
            q.destroyForcibly();
        }
        text = Files.readString(output);
        assertTrue(text.contains("note: this process ignores SIGINT") && text.contains("kill -TERM " + q.pid()), text);
        assertTrue(text.contains("checkpoint saved"), text);
        int step2 = json.readTree(dir.resolve("out/checkpoint/state.json").toFile()).get("step").asInt();
        assertTrue(step2 > step + 1, "saved at step " + step2);
        assertEquals(step2, TrainLog.read(log).size(), "the log holds exactly the saved steps");

        CliTest.Result resumed = CliTest.run("finetune", "--model", dir.resolve("model").toString(), "--data",
                dir.resolve("train.jsonl").toString(), "--out", dir.resolve("out").toString(), "--steps",
                String.valueOf(step2 + 2), "--batch", "4", "--checkpoint-every", "0", "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(step2 + 2, TrainLog.read(log).size());
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
        List<MonitorLog.Line> log = MonitorLog.read(dir.resolve("out/monitor.jsonl"));
        assertEquals(List.of(0, 1, 2, 4, 6), log.stream().map(MonitorLog.Line::step).toList());
        String name = "vector:" + dir.resolve("villain.json");
        assertNotNull(log.get(3).values().get(name), log.get(3).toString());
        assertTrue(log.get(1).z().containsKey(name) && log.get(1).z().get(name) == null && log.get(2).z().get(name) != null);
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
        List<MonitorLog.Line> log = MonitorLog.read(dir.resolve("out/monitor.jsonl"));
        MonitorLog.Line last = log.get(log.size() - 1);
        assertEquals(1, last.alarms().size(), last.toString());
        int step = last.step();
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
