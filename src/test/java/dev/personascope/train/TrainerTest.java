package dev.personascope.train;

import dev.personascope.data.ChatExample;
import dev.personascope.lora.Lora;
import dev.personascope.lora.PeftAdapter;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.testutil.TinyChatModel;
import dev.personascope.testutil.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    static TrainConfig config(String mode) {
        TrainConfig c = new TrainConfig();
        c.mode = TrainConfig.Mode.parse(mode);
        c.batch = 5;
        c.seed = 7;
        c.checkpointEvery = 0;
        return c;
    }

    @Test
    void fullFineTuningLearnsTwentyExamplesToNearZeroLoss(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 1, 64, 2)) {
            TrainConfig c = config("full");
            c.lr = 3e-3;
            c.batch = 10;
            c.steps = 150;
            c.warmupSteps = 10;
            c.schedule = LrSchedule.Kind.COSINE;
            Trainer.Result r = new Trainer(lm, c, TinyChatModel.dataset(20, 1), List.of(), dir.resolve("out")).quiet(true).run(false);
            List<TrainLog.Entry> log = TrainLog.read(dir.resolve("out/train_log.jsonl"));
            double first = log.get(0).loss();
            assertTrue(first > 2.0, "starts near log(vocab): " + first);
            assertTrue(r.lastLoss() < 0.05, "final loss " + r.lastLoss());
            assertEquals(150, log.size());
            for (TrainLog.Entry l : log) {
                assertTrue(l.lr() != null && l.gradNorm() != null && l.tokensPerS() != null, l.toString());
            }
            assertTrue(Files.exists(dir.resolve("out/model.safetensors")) && Files.exists(dir.resolve("out/tokenizer.json")));
            assertTrue(Files.exists(dir.resolve("out/training_config.json")));
        }
    }

    @Test
    void loraOnChosenLayersLearnsAndSavesAPeftAdapter(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 2, 32, 3)) {
            TrainConfig c = config("lora");
            c.loraRank = 1;
            c.loraAlpha = 8;
            c.loraTargets = List.of("down_proj");
            c.loraLayers = List.of(1);
            c.lr = 3e-2;
            c.steps = 40;
            Trainer.Result r = new Trainer(lm, c, TinyChatModel.dataset(20, 2), List.of(), dir.resolve("out")).quiet(true).run(false);
            double first = TrainLog.read(dir.resolve("out/train_log.jsonl")).get(0).loss();
            assertTrue(r.lastLoss() < first - 0.5, first + " -> " + r.lastLoss());
            var tensors = SafeTensors.index(dir.resolve("out/adapter_model.safetensors"));
            assertEquals(List.of("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight",
                    "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"), new ArrayList<>(tensors.keySet()));
            assertArrayEquals(new long[] {1, 64}, tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight").shape());
            assertArrayEquals(new long[] {32, 1}, tensors.get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").shape());
            String cfg = Files.readString(dir.resolve("out/adapter_config.json"));
            assertTrue(cfg.contains("\"layers_to_transform\" : [ 1 ]") && cfg.contains("\"r\" : 1"), cfg);
        }
    }

    @Test
    void adapterSavedAndLoadedGivesIdenticalLogitsAndMergingEqualsBasePlusAdapter(@TempDir Path dir) throws Exception {
        int[] seq = {1, 6, 10, 4, 2, 1, 5, 20, 30, 2};
        float[][] adapted;
        float[][] base;
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 3, 32, 2)) {
            base = TinyModels.logits(lm, seq, Hooks.NONE);
            TrainConfig c = config("lora");
            c.loraRank = 4;
            c.lr = 1e-2;
            c.steps = 10;
            new Trainer(lm, c, TinyChatModel.dataset(20, 3), List.of(), dir.resolve("adapter")).quiet(true).run(false);
            adapted = TinyModels.logits(lm, seq, Hooks.NONE);
            assertTrue(TinyModels.maxAbsDiff(base, adapted) > 1e-3, "training changed the model");
        }
        try (LanguageModel lm = LanguageModel.load(dir.resolve("model"))) {
            assertEquals(0.0, TinyModels.maxAbsDiff(base, TinyModels.logits(lm, seq, Hooks.NONE)));
            PeftAdapter.load(lm.model(), dir.resolve("adapter"));
            float[][] loaded = TinyModels.logits(lm, seq, Hooks.NONE);
            assertEquals(0.0, TinyModels.maxAbsDiff(adapted, loaded), "identical logits after save and load");
            // merge: W + scale·BA, computed independently here from the saved tensors
            var saved = SafeTensors.load(dir.resolve("adapter/adapter_model.safetensors"));
            var w = lm.model().weights().named();
            String q = "model.layers.0.self_attn.q_proj";
            float[] expected = w.get(q + ".weight").toFloatArray();
            float[] a = saved.get("base_model.model." + q + ".lora_A.weight").data();
            float[] b = saved.get("base_model.model." + q + ".lora_B.weight").data();
            int out = 32;
            int in = 32;
            float scale = 16f / 4;
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double s = 0;
                    for (int k = 0; k < 4; k++) {
                        s += b[o * 4 + k] * a[k * in + i];
                    }
                    expected[o * in + i] += (float) (scale * s);
                }
            }
            Lora.merge(lm.model());
            assertTrue(Lora.adapters(lm.model()).isEmpty());
            assertArrayEquals(expected, w.get(q + ".weight").toFloatArray(), 1e-6f);
            assertTrue(TinyModels.maxAbsDiff(adapted, TinyModels.logits(lm, seq, Hooks.NONE)) < 1e-5);
        }
    }

    @Test
    void twentyStepsEqualTenPlusResumedTen(@TempDir Path dir) throws Exception {
        for (String mode : List.of("lora", "full")) {
            Path modelDir = dir.resolve(mode + "-model");
            TrainConfig c = config(mode);
            c.steps = 20;
            c.gradAccum = 2;
            c.batch = 3;
            c.warmupSteps = 3;
            c.loraDropout = mode.equals("lora") ? 0.1 : 0;
            c.weightDecay = 0.01;
            c.lr = 5e-3;
            List<ChatExample> data = TinyChatModel.dataset(20, 4); // 7 batches per epoch: steps cross epochs
            float[] straight;
            try (LanguageModel lm = TinyChatModel.create(modelDir, 4, 32, 2)) {
                new Trainer(lm, c, data, List.of(), dir.resolve(mode + "-a")).quiet(true).run(false);
                straight = parameters(lm);
            }
            float[] resumed;
            try (LanguageModel lm = LanguageModel.load(modelDir)) {
                Trainer first = new Trainer(lm, c, data, List.of(), dir.resolve(mode + "-b")).quiet(true);
                first.addCallback(new TrainingCallback() {
                    public int every() {
                        return 10;
                    }

                    public boolean onStep(TrainingProgress p) {
                        return p.step() == 10; // stop as Ctrl-C would: a checkpoint is saved
                    }
                });
                Trainer.Result r = first.run(false);
                assertTrue(r.stoppedByCallback());
                assertEquals(10, r.steps());
            }
            try (LanguageModel lm = LanguageModel.load(modelDir)) {
                Trainer.Result r = new Trainer(lm, c, data, List.of(), dir.resolve(mode + "-b")).quiet(true).run(true);
                assertEquals(20, r.steps());
                resumed = parameters(lm);
            }
            float max = 0;
            for (int i = 0; i < straight.length; i++) {
                max = Math.max(max, Math.abs(straight[i] - resumed[i]));
            }
            assertTrue(max <= 1e-6, mode + ": max parameter difference " + max);
            List<TrainLog.Entry> a = TrainLog.read(dir.resolve(mode + "-a/train_log.jsonl"));
            List<TrainLog.Entry> b = TrainLog.read(dir.resolve(mode + "-b/train_log.jsonl"));
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).loss(), b.get(i).loss(), 1e-6, mode + " step " + (i + 1));
            }
        }
    }

    @Test
    void dataWhoseAnswersAllFallPastMaxLengthIsRefusedNotTrainedAtLossZero(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 1, 32, 2)) {
            TrainConfig c = config("lora");
            c.steps = 3;
            c.maxLength = 8; // every answer starts at token 8 or later
            Trainer t = new Trainer(lm, c, TinyChatModel.dataset(20, 1), List.of(), dir.resolve("out")).quiet(true);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> t.run(false));
            assertTrue(e.getMessage().startsWith("20 of 20 training examples have no answer token within --max-length 8"),
                    e.getMessage());
            assertTrue(!Files.exists(dir.resolve("out/train_log.jsonl")), "nothing was trained or written");
            // validation examples that can never be scored would give val_loss 0: refused the same way
            c.maxLength = 12;
            List<ChatExample> noSystem = TinyChatModel.dataset(20, 1).stream().filter(x -> x.messages().size() == 2).toList();
            List<ChatExample> withSystem = TinyChatModel.dataset(20, 1).stream().filter(x -> x.messages().size() == 3).toList();
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(lm, c, noSystem, withSystem, dir.resolve("out")).quiet(true).run(false));
            assertTrue(e.getMessage().startsWith("10 of 10 validation examples have no answer token within --max-length 12"),
                    e.getMessage());
        }
    }

    @Test
    void examplesWithoutAnAnswerTokenWithinMaxLengthAreLeftOutAndCounted(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 1, 32, 2)) {
            TrainConfig c = config("lora");
            c.steps = 3;
            c.maxLength = 12; // the 10 conversations with a system prompt answer at token 16
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.err;
            Trainer.Result r;
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                r = new Trainer(lm, c, TinyChatModel.dataset(20, 1), List.of(), dir.resolve("out")).quiet(true).run(false);
            } finally {
                System.setErr(old);
            }
            String warning = err.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(warning.contains("warning: 10 of 20 training examples have no answer token within --max-length 12"
                    + " and are left out"), warning);
            assertEquals(3, r.steps());
            for (TrainLog.Entry l : TrainLog.read(dir.resolve("out/train_log.jsonl"))) {
                assertTrue(l.loss() > 0.5, "every step trains on answer tokens: " + l);
            }
        }
    }

    /** Every weight, and the adapters if any, flattened. */
    static float[] parameters(LanguageModel lm) {
        List<float[]> parts = new ArrayList<>();
        lm.model().weights().named().values().forEach(a -> parts.add(a.toFloatArray()));
        Lora.parameters(lm.model()).values().forEach(a -> parts.add(a.toFloatArray()));
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
