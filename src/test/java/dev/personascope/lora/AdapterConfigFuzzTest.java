package dev.personascope.lora;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.personascope.testutil.FuzzOutcome;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link PeftAdapter#readConfig}, a PEFT adapter_config.json: any bytes give a LoRA configuration with a
 * rank in 1..256, a positive finite alpha and scale, a dropout in [0, 1) and targets, or one error line. Seeds:
 * the reference adapters (testdata/reference/peft).
 */
class AdapterConfigFuzzTest {
    private static final Path DIR = FuzzOutcome.tempDir("adapter-fuzz");
    private static final String[] MODULES = {"model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj",
        "transformer.h.0.attn.c_attn"};

    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"r\"", "\"lora_alpha\"", "\"lora_dropout\"", "\"target_modules\"", "\"all-linear\"",
        "\"layers_to_transform\"", "\"layers_pattern\"", "\"rank_pattern\"", "\"alpha_pattern\"", "\"use_rslora\"",
        "\"use_dora\"", "\"exclude_modules\"", "\"peft_type\"", "\"LORA\"", "\"fan_in_fan_out\"", "\"bias\"",
        "\"q_proj\"", "\".*\\\\.q_proj\"", "(", "[", "*", "-1", "0", "1e309", "NaN", "null", "true", "\"x\""})
    void readConfig(byte[] data) {
        FuzzOutcome.write(DIR.resolve("adapter_config.json"), data);
        LoraConfig c = FuzzOutcome.parse(() -> PeftAdapter.readConfig(DIR), FuzzOutcome.CLI_ERRORS);
        if (c == null) {
            return;
        }
        assertTrue(c.rank() >= 1 && c.rank() <= 256, "rank " + c.rank());
        assertTrue(c.alpha() > 0 && Double.isFinite(c.alpha()), "alpha " + c.alpha());
        assertTrue(c.dropout() >= 0 && c.dropout() < 1, "dropout " + c.dropout());
        assertTrue(!c.targets().isEmpty() || c.targetRegex() != null, "no targets");
        assertTrue(Float.isFinite(c.scale()) && c.scale() > 0, "scale " + c.scale());
        c.rankPattern().forEach((k, r) -> assertTrue(r >= 1 && r <= 256, "rank_pattern " + k + " " + r));
        c.alphaPattern().forEach((k, a) -> assertTrue(a > 0 && Double.isFinite(a), "alpha_pattern " + k + " " + a));
        for (String module : c.rankPattern().keySet()) {
            float s = c.scaleOf(module);
            assertTrue(Float.isFinite(s) && s > 0, "scale of " + module + " " + s);
        }
        for (String module : c.alphaPattern().keySet()) {
            float s = c.scaleOf(module);
            assertTrue(Float.isFinite(s) && s > 0, "scale of " + module + " " + s);
        }
        for (String module : MODULES) { // the regular expressions it holds compile and match
            c.covers(0, module);
        }
        if (c.layers() != null) {
            c.layers().forEach(l -> assertTrue(l >= 0, "layer index " + l));
        }
    }
}
