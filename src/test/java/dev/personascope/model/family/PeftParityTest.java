package dev.personascope.model.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.personascope.lora.Lora;
import dev.personascope.lora.PeftAdapter;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.io.HostTensor;
import dev.personascope.testutil.ReferenceFixtures;
import dev.personascope.testutil.ReferenceFixtures.Diffs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The PEFT adapters of testdata/reference/peft (LoRA, rsLoRA, layers_to_transform, all-linear, DoRA on the
 * tiny qwen2 and llama) against peft 0.21: the base logits, the logits with the adapter loaded (unmerged),
 * and after {@link Lora#merge}, each within 1e-4 for ids_7 and ids_40.
 */
class PeftParityTest {
    static Stream<String> adapters() {
        return ReferenceFixtures.ADAPTERS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adapters")
    void matchesPeft(String adapter) {
        Path adapterDir = ReferenceFixtures.adapterDir(adapter);
        String base = ReferenceFixtures.adapterBase(adapter);
        assertEquals("hf-models/" + base, ReferenceFixtures.readJson(adapterDir.resolve("adapter_config.json"))
                .path("base_model_name_or_path").asText(), adapter + ": the base named by adapter_config.json");
        Map<String, HostTensor> expected = ReferenceFixtures.expected(adapterDir);
        Diffs diffs = new Diffs(adapter + " on hf-models/" + base);
        try (LanguageModel lm = load(adapter, ReferenceFixtures.modelDir(base))) {
            compareLogits(lm, expected, "base_logits_", diffs);
            stage(adapter, "PeftAdapter.load", () -> PeftAdapter.load(lm.model(), adapterDir), diffs);
            compareLogits(lm, expected, "adapted_logits_", diffs);
            stage(adapter, "Lora.merge", () -> Lora.merge(lm.model()), diffs);
            compareLogits(lm, expected, "merged_logits_", diffs);
        }
        diffs.assertWithin(ReferenceFixtures.TOLERANCE);
    }

    private static LanguageModel load(String adapter, Path baseDir) {
        try {
            return LanguageModel.load(baseDir);
        } catch (RuntimeException e) {
            return fail(adapter + ": the base model " + baseDir + " does not load: " + e, e);
        }
    }

    /** Runs one step; when it throws, fails listing the differences found so far and the error. */
    private static void stage(String adapter, String what, Runnable step, Diffs sofar) {
        try {
            step.run();
        } catch (RuntimeException e) {
            fail(adapter + ": " + what + " failed: " + e + "\n(before it, " + sofar + ")", e);
        }
    }

    private static void compareLogits(LanguageModel lm, Map<String, HostTensor> expected, String prefix, Diffs diffs) {
        for (int t : ReferenceFixtures.LENGTHS) {
            DecoderModel model = lm.model();
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray l = model.forward(scope, TokenBatch.rightPadded(List.of(ReferenceFixtures.ids(t)), 0, null), null,
                        Hooks.NONE, DecoderModel.Logits.ALL);
                String name = prefix + t;
                diffs.put(name, ReferenceFixtures.maxAbsDiff(ReferenceFixtures.tensor(expected, name), l.toFloatArray(),
                        l.getShape().getShape(), diffs.context() + " " + name));
            }
        }
    }
}
