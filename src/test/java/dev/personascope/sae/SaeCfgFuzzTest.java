package dev.personascope.sae;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.personascope.testutil.FuzzOutcome;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes {@link SaeFolder#readConfig}, an SAELens cfg.json (current and older layouts): any bytes give a
 * config with positive sizes, a known architecture, k in 1..d_sae and a supported dtype, which writes back
 * ({@link SaeFolder#configJson}) to a cfg.json that reads the same; or one error line.
 */
class SaeCfgFuzzTest {
    private static final Path DIR = FuzzOutcome.tempDir("sae-cfg-fuzz");
    private static final Path AGAIN = FuzzOutcome.tempDir("sae-cfg-fuzz-again");

    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"d_in\"", "\"d_sae\"", "\"k\"", "\"architecture\"", "\"topk\"", "\"standard\"",
        "\"jumprelu\"", "\"metadata\"", "\"hook_name\"", "\"hook_point\"", "\"model_name\"", "\"context_size\"",
        "\"dtype\"", "\"torch.bfloat16\"", "\"normalize_activations\"", "\"apply_b_dec_to_input\"",
        "\"activation_fn_kwargs\"", "\"activation_fn_str\"", "\"rescale_acts_by_decoder_norm\"",
        "\"sae_lens_version\"", "\"reshape_activations\"", "-1", "0", "2147483648", "1e3", "NaN", "null", "true"})
    void readConfig(byte[] data) {
        FuzzOutcome.write(DIR.resolve(SaeFolder.CFG_FILE), data);
        SaeConfig c = FuzzOutcome.parse(() -> SaeFolder.readConfig(DIR), FuzzOutcome.CLI_ERRORS);
        if (c == null) {
            return;
        }
        assertTrue(c.dIn > 0 && c.dSae > 0, "d_in " + c.dIn + ", d_sae " + c.dSae);
        SaeRegistry.Architecture arch = SaeRegistry.find(c.architecture);
        assertNotNull(arch, "architecture " + c.architecture);
        if (arch.usesK()) {
            assertTrue(c.k >= 1 && c.k <= c.dSae, "k " + c.k);
        }
        assertTrue(c.contextSize > 0, "context_size " + c.contextSize);
        assertNotNull(c.hookName);
        assertNotNull(c.dtype);
        // writing what was read and reading it again gives the same SAE
        String written = SaeFolder.configJson(c);
        FuzzOutcome.write(AGAIN.resolve(SaeFolder.CFG_FILE), written.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        SaeConfig again = SaeFolder.readConfig(AGAIN);
        assertEquals(c.dIn, again.dIn);
        assertEquals(c.dSae, again.dSae);
        assertEquals(c.architecture, again.architecture);
        assertEquals(arch.usesK() ? c.k : -1, arch.usesK() ? again.k : -1);
        assertEquals(c.dtype, again.dtype);
        assertEquals(c.applyBDecToInput, again.applyBDecToInput);
        assertEquals(c.normalizeActivations, again.normalizeActivations);
        assertEquals(c.hookName, again.hookName);
        assertEquals(c.modelName, again.modelName);
        assertEquals(c.contextSize, again.contextSize);
    }
}
