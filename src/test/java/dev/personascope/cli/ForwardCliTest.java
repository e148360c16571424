package dev.personascope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.lora.PeftAdapter;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.CaptureHook;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.hooks.Hooks;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.model.io.DType;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.testutil.TestData;
import dev.personascope.testutil.TinyModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForwardCliTest {
    private static final Path MODEL = TestData.STORIES_HF; // 5 layers, d_model 64, vocab 512
    private static final int[] IDS = {1, 403, 9, 30, 261, 2};

    private static JsonNode metadata(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        long len = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new ObjectMapper().readTree(new String(all, 8, (int) len, StandardCharsets.UTF_8)).get("__metadata__");
    }

    private static float[] flat(float[][] rows) {
        int d = rows[0].length;
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * d, d);
        }
        return out;
    }

    @Test
    void savesLogitsAndTheChosenHooksAsADirectForwardGivesThem(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sub/acts.safetensors");
        CliTest.Result r = CliTest.run("forward", "--model", MODEL.toString(), "--ids", "1, 403,9,30,261,2",
                "--hooks", "blocks.*.hook_resid_post,hook_embed", "--hooks", "blocks.2.hook_resid_*", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("wrote " + out + ": 9 tensors (logits [6, 512] and 8 hook points), T=6", r.out().trim());
        Map<String, SafeTensors.Entry> idx = SafeTensors.index(out);
        List<String> expectedNames = List.of("logits", "hook_embed", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post",
                "blocks.2.hook_resid_pre", "blocks.2.hook_resid_mid", "blocks.2.hook_resid_post", "blocks.3.hook_resid_post",
                "blocks.4.hook_resid_post");
        assertEquals(expectedNames, new ArrayList<>(idx.keySet()));
        for (SafeTensors.Entry e : idx.values()) {
            assertEquals(DType.F32, e.dtype());
            assertArrayEquals(e.name().equals("logits") ? new long[] {6, 512} : new long[] {6, 64}, e.shape(), e.name());
        }
        JsonNode meta = metadata(out);
        assertEquals(MODEL.toString(), meta.get("model").asText());
        assertEquals("", meta.get("adapter").asText());
        assertEquals("6", meta.get("tokens").asText());
        assertEquals("float32", meta.get("compute_dtype").asText());
        assertEquals("1,403,9,30,261,2", meta.get("ids").asText());
        assertEquals(String.join(",", expectedNames.subList(1, expectedNames.size())), meta.get("hooks").asText());

        Map<String, HostTensor> saved = SafeTensors.load(out);
        try (LanguageModel lm = LanguageModel.load(MODEL)) {
            float[] direct = flat(TinyModels.logits(lm, IDS, Hooks.NONE));
            assertArrayEquals(direct, saved.get("logits").data(), 1e-5f);
            Hooks hooks = new Hooks();
            List<CaptureHook> caps = new ArrayList<>();
            for (String name : expectedNames.subList(1, expectedNames.size())) {
                CaptureHook c = new CaptureHook(TokenScope.ALL);
                caps.add(c);
                hooks.add(name, c);
            }
            TinyModels.logits(lm, IDS, hooks);
            for (int i = 0; i < caps.size(); i++) {
                String name = expectedNames.get(i + 1);
                assertArrayEquals(flat(caps.get(i).row(0)), saved.get(name).data(), 1e-6f, name);
            }
        }
        // one residual stream: a block's input is the previous block's output
        assertArrayEquals(saved.get("blocks.1.hook_resid_post").data(), saved.get("blocks.2.hook_resid_pre").data(), 0f);
        assertFalse(Files.list(out.getParent()).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }

    @Test
    void tokenizesTextWithTheModelsTokenizer(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("t.safetensors");
        String text = "Once upon a time, there was a cat.";
        CliTest.Result r = CliTest.run("forward", "--model", MODEL.toString(), "--text", text, "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        int[] ids;
        float[] direct;
        try (LanguageModel lm = LanguageModel.load(MODEL)) {
            ids = lm.tokenizer().encode(text, true);
            direct = flat(TinyModels.logits(lm, ids, Hooks.NONE));
        }
        assertEquals(1, ids[0]); // BOS
        Map<String, HostTensor> saved = SafeTensors.load(out);
        assertEquals(List.of("logits"), new ArrayList<>(saved.keySet()));
        assertArrayEquals(new long[] {ids.length, 512}, saved.get("logits").shape());
        assertArrayEquals(direct, saved.get("logits").data(), 1e-5f);
        JsonNode meta = metadata(out);
        assertEquals(text, meta.get("text").asText());
        assertEquals(Integer.toString(ids.length), meta.get("tokens").asText());
        assertEquals("", meta.get("hooks").asText());
        assertTrue(r.out().contains("T=" + ids.length), r.out());
    }

    @Test
    void appliesAnAdapter(@TempDir Path dir) throws Exception {
        // a PEFT LoRA adapter on every layer's q_proj (64 -> 64), written by hand in PEFT's layout
        Path adapter = dir.resolve("adapter");
        Files.createDirectories(adapter);
        Files.writeString(adapter.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 4,"
                + " \"lora_dropout\": 0.0, \"target_modules\": [\"q_proj\"], \"bias\": \"none\", \"fan_in_fan_out\": false,"
                + " \"base_model_name_or_path\": \"stories260K\"}");
        Random rnd = new Random(5);
        List<HostTensor> weights = new ArrayList<>();
        for (int l = 0; l < 5; l++) {
            String m = "base_model.model.model.layers." + l + ".self_attn.q_proj.";
            float[] a = new float[2 * 64];
            float[] b = new float[64 * 2];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rnd.nextGaussian() * 0.3f;
                b[i] = (float) rnd.nextGaussian() * 0.3f;
            }
            weights.add(new HostTensor(m + "lora_A.weight", new long[] {2, 64}, a));
            weights.add(new HostTensor(m + "lora_B.weight", new long[] {64, 2}, b));
        }
        SafeTensors.write(adapter.resolve("adapter_model.safetensors"), weights, Map.of("format", "pt"));

        Path out = dir.resolve("a.safetensors");
        CliTest.Result r = CliTest.run("forward", "--model", MODEL.toString(), "--adapter", adapter.toString(),
                "--ids", "1,403,9,30,261,2", "--hooks", "ln_final.hook_normalized", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        float[] saved = SafeTensors.load(out).get("logits").data();
        assertEquals(adapter.toString(), metadata(out).get("adapter").asText());
        try (LanguageModel base = LanguageModel.load(MODEL); LanguageModel tuned = LanguageModel.load(MODEL)) {
            PeftAdapter.load(tuned.model(), adapter);
            assertArrayEquals(flat(TinyModels.logits(tuned, IDS, Hooks.NONE)), saved, 1e-5f);
            float[] plain = flat(TinyModels.logits(base, IDS, Hooks.NONE));
            double diff = 0;
            for (int i = 0; i < plain.length; i++) {
                diff = Math.max(diff, Math.abs(plain[i] - saved[i]));
            }
            assertTrue(diff > 1e-3, "the adapter must change the logits (max diff " + diff + ")");
        }
    }

    /** On the transformers reference fixtures (when present): the saved tensors are HF's, within 1e-4. */
    @Test
    void matchesTransformersOnTheReferenceFixtures(@TempDir Path dir) throws Exception {
        Path root = Path.of("testdata/reference/hf-models");
        for (String family : List.of("llama", "qwen2", "mistral")) {
            Path model = root.resolve(family);
            Assumptions.assumeTrue(Files.exists(model.resolve("expected.safetensors")), "no fixture " + model);
            JsonNode inputs = new ObjectMapper().readTree(model.resolve("inputs.json").toFile());
            List<String> ids = new ArrayList<>();
            inputs.get("ids_7").forEach(n -> ids.add(n.asText()));
            Path out = dir.resolve(family + ".safetensors");
            CliTest.Result r = CliTest.run("forward", "--model", model.toString(), "--ids", String.join(",", ids),
                    "--hooks", "hook_embed,blocks.*.hook_resid_post,ln_final.*", "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            Map<String, HostTensor> got = SafeTensors.load(out);
            Map<String, HostTensor> hf = SafeTensors.load(model.resolve("expected.safetensors"));
            Map<String, String> pairs = Map.of("logits", "logits_7", "hook_embed", "hidden_7_0",
                    "blocks.0.hook_resid_post", "layer_out_7_0", "blocks.1.hook_resid_post", "layer_out_7_1");
            assertEquals(List.of("logits", "hook_embed", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post",
                    "ln_final.hook_normalized"), new ArrayList<>(got.keySet()));
            // TransformerLens's ln_final.hook_normalized is before the norm's weight; HF's last hidden state after it
            float[] w = SafeTensors.read(SafeTensors.index(model.resolve("model.safetensors")).get("model.norm.weight"));
            float[] normalized = got.get("ln_final.hook_normalized").data();
            float[] weighted = new float[normalized.length];
            for (int i = 0; i < normalized.length; i++) {
                weighted[i] = normalized[i] * w[i % w.length];
            }
            assertArrayEquals(hf.get("hidden_7_2").data(), weighted, 1e-4f, family + " ln_final");
            for (Map.Entry<String, String> p : pairs.entrySet()) {
                HostTensor ours = got.get(p.getKey());
                HostTensor theirs = hf.get(p.getValue());
                assertArrayEquals(theirs.shape(), ours.shape(), family + " " + p.getKey());
                assertArrayEquals(theirs.data(), ours.data(), 1e-4f, family + " " + p.getKey());
            }
        }
    }

    @Test
    void badInputsGiveOneLineErrorsAndNoFile(@TempDir Path dir) {
        Path out = dir.resolve("x.safetensors");
        String m = MODEL.toString();
        String o = out.toString();
        assertError("error: --hooks: 'blocks.*.hook_nothing' matches no hook point of this model",
                "forward", "--model", m, "--ids", "1,2", "--hooks", "hook_embed,blocks.*.hook_nothing", "--out", o);
        assertError("error: --hooks: 'blocks.7.hook_resid_post' matches no hook point",
                "forward", "--model", m, "--ids", "1,2", "--hooks", "blocks.7.hook_resid_post", "--out", o);
        assertError("error: --ids: token id 512 is outside the model's vocabulary (0..511)",
                "forward", "--model", m, "--ids", "1,512", "--out", o);
        assertError("error: --ids: token id -1 is outside the model's vocabulary (0..511)",
                "forward", "--model", m, "--ids", "-1", "--out", o);
        assertError("error: --ids: 'x' is not an integer", "forward", "--model", m, "--ids", "1,x", "--out", o);
        assertError("error: --ids: '' is not an integer", "forward", "--model", m, "--ids", "1,,2", "--out", o);
        assertError("error: give one input: --ids 1,2,3 or --text TEXT", "forward", "--model", m, "--out", o);
        assertError("error: give one input", "forward", "--model", m, "--ids", "1", "--text", "hi", "--out", o);
        assertError("error: nowhere: no such file or folder", "forward", "--model", "nowhere", "--ids", "1", "--out", o);
        assertFalse(Files.exists(out));
        CliTest.Result noOut = CliTest.run("forward", "--model", m, "--ids", "1");
        assertEquals(2, noOut.code());
        assertTrue(noOut.err().contains("--out"), noOut.err());
    }

    private static void assertError(String prefix, String... args) {
        CliTest.Result r = CliTest.run(args);
        assertEquals(2, r.code(), r.out() + r.err());
        String err = r.err().trim();
        assertTrue(err.startsWith(prefix), err);
        assertEquals(1, err.lines().count(), err);
    }

    @Test
    void globsMatchOneDotFreePart() {
        assertEquals(List.of("blocks.1.hook_resid_post", "blocks.10.hook_resid_post", "blocks.11.hook_resid_post"),
                ForwardCommand.selectHooks(List.of("blocks.1*.hook_resid_post"), 12));
        assertEquals(List.of("hook_embed", "blocks.0.hook_attn_out", "blocks.1.hook_attn_out", "ln_final.hook_normalized"),
                ForwardCommand.selectHooks(List.of("ln_final.*", "blocks.*.hook_attn_out", "hook_embed", "hook_embed"), 2));
        assertEquals(List.of("hook_embed"), ForwardCommand.selectHooks(List.of("*"), 2)); // one part only
        assertEquals(HookPoint.all(3).subList(1, 16), ForwardCommand.selectHooks(List.of("blocks.*.*"), 3));
        assertThrows(IllegalArgumentException.class, () -> ForwardCommand.selectHooks(List.of("blocks.*"), 3));
        assertThrows(IllegalArgumentException.class, () -> ForwardCommand.selectHooks(List.of("blocks.0.hook_resid.post"), 3));
        assertEquals(List.of(), ForwardCommand.selectHooks(List.of(), 3));
    }
}
