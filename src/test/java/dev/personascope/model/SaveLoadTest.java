package dev.personascope.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.testutil.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaveLoadTest {
    static final int[] SEQ = {3, 17, 5, 96, 42, 0, 8, 8, 61};

    @Test
    void qwen2ModelSavedAndLoadedGivesIdenticalLogits(@TempDir Path dir) throws Exception {
        float[][] before;
        try (LanguageModel lm = TinyModels.qwen2(11)) {
            before = TinyModels.logits(lm, SEQ, Hooks.NONE);
            ModelSaver.save(lm, dir);
        }
        assertTrue(Files.exists(dir.resolve("config.json")));
        Map<String, SafeTensors.Entry> entries = SafeTensors.index(dir.resolve("model.safetensors"));
        assertTrue(entries.containsKey("model.layers.0.self_attn.q_proj.bias"), "Qwen2 keeps q/k/v biases");
        assertFalse(entries.containsKey("lm_head.weight"), "tied embeddings are stored once");
        try (LanguageModel back = LanguageModel.load(dir)) {
            assertEquals("Qwen2ForCausalLM", back.config().architecture);
            assertEquals(2, back.config().numKvHeads);
            float[][] after = TinyModels.logits(back, SEQ, Hooks.NONE);
            for (int i = 0; i < SEQ.length; i++) {
                assertArrayEquals(before[i], after[i], 0f);
            }
        }
    }

    @Test
    void shardedCheckpointLoadsLikeASingleFile(@TempDir Path dir) throws Exception {
        float[][] expected;
        List<HostTensor> params;
        try (LanguageModel lm = TinyModels.qwen2(12)) {
            expected = TinyModels.logits(lm, SEQ, Hooks.NONE);
            ModelSaver.save(lm, dir);
            params = lm.parameters();
        }
        Files.delete(dir.resolve("model.safetensors"));
        int half = params.size() / 2;
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), params.subList(0, half), Map.of());
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), params.subList(half, params.size()), Map.of());
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        for (int i = 0; i < params.size(); i++) {
            map.put(params.get(i).name(), i < half ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), json.writeValueAsString(index));
        try (LanguageModel back = LanguageModel.load(dir)) {
            float[][] got = TinyModels.logits(back, SEQ, Hooks.NONE);
            assertEquals(0.0, TinyModels.maxAbsDiff(expected, got));
        }
    }

    @Test
    void llama2cCheckpointSavedInHfLayoutMatchesTheHfExport(@TempDir Path dir) {
        int[] seq = {1, 403, 407, 261, 378};
        float[][] hf;
        try (LanguageModel lm = LanguageModel.load(Path.of("assets/stories260K/hf"))) {
            hf = TinyModels.logits(lm, seq, Hooks.NONE);
        }
        try (LanguageModel lm = LanguageModel.load(Path.of("assets/stories260K/stories260K.bin"))) {
            ModelSaver.save(lm, dir);
        }
        assertTrue(Files.exists(dir.resolve("tokenizer.bin")), "the llama2.c tokenizer travels with the model");
        try (LanguageModel back = LanguageModel.load(dir)) {
            assertTrue(TinyModels.maxAbsDiff(hf, TinyModels.logits(back, seq, Hooks.NONE)) < 1e-5);
            assertEquals("Once upon a time", back.tokenizer().decode(seq));
        }
    }

    @Test
    void readsHalfAndBfloatCheckpointsAsF32(@TempDir Path dir) throws Exception {
        // build a model, then store it as f16 and bf16 by rewriting the safetensors file
        float[][] f32;
        List<HostTensor> params;
        try (LanguageModel lm = TinyModels.qwen2(13)) {
            f32 = TinyModels.logits(lm, SEQ, Hooks.NONE);
            ModelSaver.save(lm, dir);
            params = lm.parameters();
        }
        for (String dtype : List.of("F16", "BF16")) {
            Path file = dir.resolve("model.safetensors");
            SafeTensorsTestWriter.write(file, params, dtype);
            for (SafeTensors.Entry e : SafeTensors.index(file).values()) {
                assertEquals(dtype, e.dtype().name());
            }
            try (LanguageModel back = LanguageModel.load(dir)) {
                float[][] got = TinyModels.logits(back, SEQ, Hooks.NONE);
                double err = TinyModels.maxAbsDiff(f32, got);
                assertTrue(err > 0 && err < (dtype.equals("F16") ? 2e-3 : 2e-2), dtype + " error " + err);
            }
        }
    }
}
