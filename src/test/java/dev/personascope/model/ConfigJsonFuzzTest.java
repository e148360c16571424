package dev.personascope.model;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.personascope.testutil.FuzzOutcome;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link ModelConfig#read}, a Hugging Face config.json through the family it names
 * ({@link ModelFamilies}): any bytes give a config whose sizes, epsilon, windows and rotary frequencies are
 * usable numbers, or one error line. Seeds: the reference models' configs (testdata/reference/hf-models).
 */
class ConfigJsonFuzzTest {
    private static final Path FILE = FuzzOutcome.tempDir("config-fuzz").resolve("config.json");

    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"num_hidden_layers\"", "\"hidden_size\"", "\"num_attention_heads\"", "\"num_key_value_heads\"",
        "\"head_dim\"", "\"rms_norm_eps\"", "\"rope_theta\"", "\"rope_scaling\"", "\"rope_parameters\"", "\"factor\"",
        "\"rope_type\"", "\"llama3\"", "\"linear\"", "\"partial_rotary_factor\"", "\"sliding_window\"", "\"layer_types\"",
        "\"sliding_attention\"", "\"max_window_layers\"", "\"use_sliding_window\"", "\"architectures\"",
        "\"LlamaForCausalLM\"", "\"Qwen2ForCausalLM\"", "\"Gemma2ForCausalLM\"", "\"GPT2LMHeadModel\"",
        "\"model_type\"", "-1", "0", "1e-300", "1e308", "2147483647", "NaN", "null", "true"})
    void read(byte[] data) {
        Path file = FuzzOutcome.write(FILE, data);
        ModelConfig c = FuzzOutcome.parse(() -> ModelConfig.read(file), FuzzOutcome.CLI_ERRORS);
        if (c == null) {
            return;
        }
        c.validate(file.toString()); // what read returned must pass the checks a model applies
        assertTrue(c.numLayers >= 1 && c.numLayers <= ModelConfig.MAX_LAYERS, "num_hidden_layers " + c.numLayers);
        assertTrue(c.hiddenSize > 0 && c.intermediateSize > 0 && c.vocabSize > 0 && c.headDim > 0, "sizes");
        assertTrue(c.rmsNormEps > 0 && Double.isFinite(c.rmsNormEps), "norm epsilon " + c.rmsNormEps);
        assertTrue(c.maxPositions > 0, "max_position_embeddings " + c.maxPositions);
        assertTrue(Double.isFinite(c.attentionScale) && c.attentionScale >= 0, "attention scale " + c.attentionScale);
        assertTrue(Double.isFinite(c.attentionSoftcap) && c.attentionSoftcap >= 0, "softcap " + c.attentionSoftcap);
        assertTrue(Double.isFinite(c.finalSoftcap) && c.finalSoftcap >= 0, "final softcap " + c.finalSoftcap);
        for (int i = 0; i < c.numLayers; i++) {
            ModelConfig.LayerSpec layer = c.layer(i);
            assertTrue(layer.slidingWindow() >= 0, "layer " + i + " window " + layer.slidingWindow());
            if (layer.rope() != null) {
                for (double f : Rope.inverseFrequencies(layer.rope())) {
                    assertTrue(Double.isFinite(f) && f >= 0, "layer " + i + " rotary inverse frequency " + f);
                }
            }
        }
    }
}
