package dev.personascope.model.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.lora.Lora;
import dev.personascope.lora.PeftAdapter;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.TokenBatch;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.testutil.ReferenceFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Configurations and checkpoints using something PersonaScope does not implement are refused with one
 * line naming the field (or tensor) and its value, never silently misread: model configs of the
 * reference families (rope types, activations, architectures, layer_types, GPT-2's per-layer scaling,
 * wrongly typed fields, missing tensors, bf16) and PEFT adapter configs (modules_to_save, biases,
 * unknown fields, DoRA without magnitudes, missing layers, other PEFT types). A failed adapter load
 * leaves the model without adapters. Also what must work: f16 weights near the f32 reference, unset
 * unknown adapter fields, and a regular-expression target_modules.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnsupportedFeaturesTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The qwen2 base of the adapter tests, loaded once; every test leaves it without adapters. */
    private LanguageModel qwen2;

    @BeforeAll
    void loadBase() {
        qwen2 = LanguageModel.load(ReferenceFixtures.modelDir("qwen2"));
    }

    @AfterAll
    void closeBase() {
        if (qwen2 != null) {
            qwen2.close();
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** A copy of the (flat) folder {@code src} as {@code parent}/&lt;its name&gt;. */
    private static Path copy(Path src, Path parent) {
        Path out = parent.resolve(src.getFileName().toString());
        try (Stream<Path> files = Files.list(src)) {
            Files.createDirectories(out);
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, out.resolve(f.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Rewrites {@code dir}/{@code file} (a JSON object) after {@code edit}. */
    private static void editJson(Path dir, String file, Consumer<ObjectNode> edit) {
        Path f = dir.resolve(file);
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(f.toFile());
            edit.accept(root);
            Files.writeString(f, JSON.writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of hf-models/{@code family} in {@code tmp} with its config.json edited. */
    private static Path model(String family, Path tmp, Consumer<ObjectNode> edit) {
        Path dir = copy(ReferenceFixtures.modelDir(family), tmp);
        editJson(dir, "config.json", edit);
        return dir;
    }

    /** A copy of hf-models/{@code family} in {@code tmp} with config.v4.json (transformers 4 layout) as its config.json, edited. */
    private static Path modelV4(String family, Path tmp, Consumer<ObjectNode> edit) {
        Path dir = ReferenceFixtures.withConfig(ReferenceFixtures.modelDir(family), ReferenceFixtures.CONFIG_V4, tmp);
        editJson(dir, "config.json", edit);
        return dir;
    }

    /** The one-line message of loading {@code dir}, which must fail with a TensorFormatException or IllegalArgumentException. */
    private static String loadError(Path dir) {
        return loadError(dir, DataType.FLOAT32);
    }

    private static String loadError(Path dir, DataType dtype) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> LanguageModel.load(dir, dtype).close(),
                "loading " + dir + " should fail");
        assertTrue(e instanceof TensorFormatException || e instanceof IllegalArgumentException,
                "expected TensorFormatException or IllegalArgumentException, got " + e);
        return oneLine(e);
    }

    private static String oneLine(RuntimeException e) {
        String m = e.getMessage();
        assertTrue(m != null && !m.isBlank(), "an empty message: " + e);
        assertFalse(m.contains("\n"), "one line: " + m);
        assertFalse(m.contains("Exception"), "no exception class names or stack traces in the message: " + m);
        return m;
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "the message should mention " + p + ": " + message);
        }
    }

    /** A copy of peft/{@code adapter} in {@code tmp} with its adapter_config.json edited. */
    private static Path adapter(String adapter, Path tmp, Consumer<ObjectNode> edit) {
        Path dir = copy(ReferenceFixtures.adapterDir(adapter), tmp);
        editJson(dir, "adapter_config.json", edit);
        return dir;
    }

    /** Loading the adapter onto the qwen2 base fails with a one-line TensorFormatException; the model keeps no adapter. */
    private String adapterError(Path dir) {
        DecoderModel m = qwen2.model();
        assertTrue(Lora.adapters(m).isEmpty(), "the base has adapters before the test");
        TensorFormatException e;
        try {
            e = assertThrows(TensorFormatException.class, () -> PeftAdapter.load(m, dir));
        } finally {
            if (!Lora.adapters(m).isEmpty()) {
                List<String> left = List.copyOf(Lora.adapters(m).keySet());
                Lora.detach(m); // keep the shared base clean for the other tests
                fail("a failed adapter load left adapters on the model: " + left);
            }
        }
        String msg = oneLine(e);
        assertMentions(msg, dir.toString()); // names the adapter folder or its adapter_config.json
        return msg;
    }

    /** Logits of ids_40 as f32 [T, vocab] flattened. */
    private static float[] logits40(LanguageModel lm) {
        DecoderModel model = lm.model();
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray l = model.forward(scope, TokenBatch.rightPadded(List.of(ReferenceFixtures.ids(40)), 0, null), null,
                    Hooks.NONE, DecoderModel.Logits.ALL);
            return l.toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    // ------------------------------------------------------------------------------------------- models

    @Test
    void yarnRopeParameters(@TempDir Path tmp) {
        Path dir = model("llama", tmp, c -> {
            ObjectNode rp = c.putObject("rope_parameters");
            rp.put("rope_theta", 10000.0);
            rp.put("rope_type", "yarn");
            rp.put("factor", 2.0);
            rp.put("original_max_position_embeddings", 256);
        });
        String m = loadError(dir);
        assertMentions(m, "config.json", "rope_scaling", "'yarn'");
    }

    @Test
    void dynamicRopeScalingInTheV4Layout(@TempDir Path tmp) {
        Path dir = modelV4("llama", tmp, c -> {
            ObjectNode rs = c.putObject("rope_scaling");
            rs.put("type", "dynamic");
            rs.put("factor", 2);
        });
        String m = loadError(dir);
        assertMentions(m, "config.json", "rope_scaling", "'dynamic'");
    }

    /**
     * rope_parameters without rope_theta (transformers 5 then takes the class default 10000): the yarn type
     * must still be refused, not the whole object ignored in favour of the (absent) v4 fields.
     */
    @Test
    void yarnRopeParametersWithoutRopeTheta(@TempDir Path tmp) {
        Path dir = model("llama", tmp, c -> {
            ObjectNode rp = c.putObject("rope_parameters");
            rp.put("rope_type", "yarn");
            rp.put("factor", 2.0);
        });
        String m = loadError(dir);
        assertMentions(m, "config.json", "'yarn'");
    }

    /** transformers 5 still reads the old key {@code type} inside rope_parameters as the rope type (standardize_rope_params). */
    @Test
    void yarnRopeParametersUnderTheOldTypeKey(@TempDir Path tmp) {
        Path dir = model("llama", tmp, c -> {
            ObjectNode rp = c.putObject("rope_parameters");
            rp.put("rope_theta", 10000.0);
            rp.put("type", "yarn");
            rp.put("factor", 2.0);
            rp.put("original_max_position_embeddings", 256);
        });
        String m = loadError(dir);
        assertMentions(m, "config.json", "'yarn'");
    }

    @Test
    void reluHiddenAct(@TempDir Path tmp) {
        String m = loadError(model("llama", tmp, c -> c.put("hidden_act", "relu")));
        assertMentions(m, "config.json", "'hidden_act'", "'relu'");
    }

    @Test
    void reluHiddenActivationOfGemma2(@TempDir Path tmp) {
        String m = loadError(model("gemma2", tmp, c -> c.put("hidden_activation", "relu")));
        assertMentions(m, "config.json", "'hidden_activation'", "'relu'");
    }

    @Test
    void multimodalGemma3Architecture(@TempDir Path tmp) {
        String m = loadError(model("gemma3", tmp, c -> c.putArray("architectures").add("Gemma3ForConditionalGeneration")));
        assertMentions(m, "config.json", "unsupported architecture 'Gemma3ForConditionalGeneration'");
    }

    @Test
    void layerTypesOfTheWrongLength(@TempDir Path tmp) {
        String m = loadError(model("qwen2", tmp, c -> c.putArray("layer_types")
                .add("full_attention").add("full_attention").add("full_attention")));
        assertMentions(m, "config.json", "'layer_types'", "3 entries", "2 layers");
    }

    @Test
    void gpt2ScaleAttnByInverseLayerIdx(@TempDir Path tmp) {
        String m = loadError(model("gpt2", tmp, c -> c.put("scale_attn_by_inverse_layer_idx", true)));
        assertMentions(m, "config.json", "'scale_attn_by_inverse_layer_idx'", "true");
    }

    @Test
    void hiddenSizeAsAString(@TempDir Path tmp) {
        String m = loadError(model("llama", tmp, c -> c.put("hidden_size", "x")));
        assertMentions(m, "config.json", "'hidden_size'");
    }

    @Test
    void missingTensor(@TempDir Path tmp) {
        Path dir = copy(ReferenceFixtures.modelDir("llama"), tmp);
        Path weights = dir.resolve("model.safetensors");
        Map<String, HostTensor> tensors = SafeTensors.load(weights);
        String gone = "model.layers.1.self_attn.k_proj.weight";
        assertTrue(tensors.remove(gone) != null, "the fixture has " + gone);
        SafeTensors.write(weights, tensors.values(), null);
        String m = loadError(dir);
        assertMentions(m, "missing tensor '" + gone + "'", "[32, 64]");
    }

    @Test
    void bf16InMemoryIsRefusedNotACrash() {
        String m = loadError(ReferenceFixtures.modelDir("llama"), DataType.BFLOAT16);
        assertTrue(m.toLowerCase(Locale.ROOT).contains("bf16"), m);
        // the JVM is still here, and the bf16 checkpoint itself loads (in f32)
        try (LanguageModel lm = LanguageModel.load(ReferenceFixtures.modelDir("qwen2-bf16"))) {
            assertEquals(256, lm.config().vocabSize);
        }
        // random models (bench forward --dtype bf16) are refused the same way, not by aborting the JVM
        IllegalArgumentException random = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> dev.personascope.model.RandomModels.create(dev.personascope.model.RandomModels.qwen2(64, 16, 1, 2, 1, 32),
                        1, 0.02f, DataType.BFLOAT16));
        assertTrue(random.getMessage().contains("bf16"), random.getMessage());
    }

    @Test
    void f16WeightsStayNearTheF32Reference() {
        HostTensor ref = ReferenceFixtures.tensor(ReferenceFixtures.expected(ReferenceFixtures.modelDir("llama")), "logits_40");
        float[] got;
        try (LanguageModel lm = LanguageModel.load(ReferenceFixtures.modelDir("llama"), DataType.FLOAT16)) {
            got = logits40(lm);
        }
        assertEquals(ref.data().length, got.length, "logits_40 size");
        double d = ReferenceFixtures.maxAbsDiff(ref.data(), got);
        System.out.println("llama f16 logits_40: max |Δ| vs the f32 reference = " + ReferenceFixtures.format(d));
        assertTrue(d <= 0.05, "f16 logits_40 differ from the f32 reference by " + d);
        assertTrue(d > 0, "f16 gave bit-identical logits: were the weights really held in f16?");
    }

    // ------------------------------------------------------------------------------------------- adapters

    private static final String QV = "qwen2-lora-qv-r4";

    @Test
    void modulesToSave(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.putArray("modules_to_save").add("lm_head")));
        assertMentions(m, "adapter_config.json", "'modules_to_save'", "lm_head");
    }

    @Test
    void loraBias(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.put("lora_bias", true)));
        assertMentions(m, "adapter_config.json", "'lora_bias'", "true");
    }

    @Test
    void biasAll(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.put("bias", "all")));
        assertMentions(m, "adapter_config.json", "'bias'", "all");
    }

    @Test
    void unknownFieldThatIsSet(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.putObject("new_peft_feature").put("x", 1)));
        assertMentions(m, "adapter_config.json", "'new_peft_feature'", "{\"x\":1}");
    }

    @Test
    void loraAlphaAsAString(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.put("lora_alpha", "x")));
        assertMentions(m, "adapter_config.json", "'lora_alpha'", "\"x\"");
    }

    @Test
    void targetModuleTheModelLacks(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.putArray("target_modules").add("nonexistent_proj")));
        assertMentions(m, "nonexistent_proj", "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        assertTrue(m.contains("target_modules") || m.contains("target modules"), m);
    }

    @Test
    void fanInFanOutOnNnLinear(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.put("fan_in_fan_out", true)));
        assertMentions(m, "'fan_in_fan_out'", "nn.Linear");
    }

    @Test
    void doraWithoutMagnitudes(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.put("use_dora", true)));
        assertMentions(m, "lora_magnitude_vector");
    }

    @Test
    void layerThatDoesNotExist(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.putArray("layers_to_transform").add(5)));
        assertMentions(m, "layer 5", "does not exist", "0..1");
    }

    @Test
    void otherPeftType(@TempDir Path tmp) {
        String m = adapterError(adapter(QV, tmp, c -> c.put("peft_type", "IA3")));
        assertMentions(m, "adapter_config.json", "peft_type", "'IA3'");
    }

    /** After every kind of failure above, the base still gives its reference logits (nothing was left attached). */
    @Test
    void failedLoadsLeaveTheBaseUnchanged(@TempDir Path tmp) {
        adapterError(adapter(QV, tmp.resolve("a"), c -> c.put("use_dora", true)));
        adapterError(adapter(QV, tmp.resolve("b"), c -> c.putArray("layers_to_transform").add(5)));
        HostTensor base = ReferenceFixtures.tensor(ReferenceFixtures.expected(ReferenceFixtures.adapterDir(QV)), "base_logits_40");
        double d = ReferenceFixtures.maxAbsDiff(base.data(), logits40(qwen2));
        assertTrue(d <= ReferenceFixtures.TOLERANCE, "base logits after failed loads differ by " + d);
    }

    @Test
    void unknownFieldsLeftAtTheirDefaultsAreTolerated(@TempDir Path tmp) {
        Path dir = adapter(QV, tmp, c -> {
            c.putNull("new_peft_feature");
            c.put("new_peft_switch", false);
            c.putObject("new_peft_options");
            c.putArray("new_peft_list");
        });
        DecoderModel m = qwen2.model();
        try {
            PeftAdapter.load(m, dir);
            assertEquals(4, Lora.adapters(m).size(), "q_proj and v_proj of 2 layers: " + Lora.adapters(m).keySet());
            HostTensor ref = ReferenceFixtures.tensor(ReferenceFixtures.expected(ReferenceFixtures.adapterDir(QV)), "adapted_logits_40");
            double d = ReferenceFixtures.maxAbsDiff(ref.data(), logits40(qwen2));
            assertTrue(d <= ReferenceFixtures.TOLERANCE, "adapted logits differ from peft's by " + d);
        } finally {
            Lora.detach(m);
        }
    }

    /** PEFT's LoraConfig defaults lora_alpha to 8 (not to r); the qv fixture has r 4 and lora_alpha 8. */
    @Test
    void missingLoraAlphaIsPeftsDefaultOf8(@TempDir Path tmp) {
        Path dir = adapter(QV, tmp, c -> c.remove("lora_alpha"));
        DecoderModel m = qwen2.model();
        try {
            PeftAdapter.load(m, dir);
            HostTensor ref = ReferenceFixtures.tensor(ReferenceFixtures.expected(ReferenceFixtures.adapterDir(QV)), "adapted_logits_40");
            double d = ReferenceFixtures.maxAbsDiff(ref.data(), logits40(qwen2));
            assertTrue(d <= ReferenceFixtures.TOLERANCE, "without lora_alpha the adapted logits differ from peft's"
                    + " (lora_alpha 8) by " + d);
        } finally {
            Lora.detach(m);
        }
    }

    @Test
    void regexTargetModulesMatchTheLayerListFixture(@TempDir Path tmp) {
        String layer1 = "qwen2-lora-layer1-r4";
        Path dir = adapter(layer1, tmp, c -> {
            c.put("target_modules", "model\\.layers\\.1\\.self_attn\\.(q|v)_proj");
            c.set("layers_to_transform", NODES.nullNode());
        });
        DecoderModel m = qwen2.model();
        try {
            PeftAdapter.load(m, dir);
            assertEquals(List.of("model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"),
                    List.copyOf(Lora.adapters(m).keySet()));
            HostTensor ref = ReferenceFixtures.tensor(ReferenceFixtures.expected(ReferenceFixtures.adapterDir(layer1)), "adapted_logits_40");
            double d = ReferenceFixtures.maxAbsDiff(ref.data(), logits40(qwen2));
            System.out.println("qwen2 regex target_modules adapted_logits_40: max |Δ| vs peft = " + ReferenceFixtures.format(d));
            assertTrue(d <= ReferenceFixtures.TOLERANCE, "adapted logits with the regex differ from peft's by " + d);
        } finally {
            Lora.detach(m);
        }
    }

    /** Sanity: the unedited fixture copy loads (so the failures above come from the edits). */
    @Test
    void uneditedCopiesLoad(@TempDir Path tmp) {
        try (LanguageModel lm = LanguageModel.load(model("llama", tmp.resolve("m"), c -> { }))) {
            assertEquals("llama", lm.config().family);
        }
        DecoderModel m = qwen2.model();
        try {
            PeftAdapter.load(m, adapter(QV, tmp.resolve("a"), c -> { }));
            assertFalse(Lora.adapters(m).isEmpty());
        } finally {
            Lora.detach(m);
        }
    }
}
