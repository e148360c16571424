package dev.personascope.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.io.TensorFormatException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaeFolderTest {
    private static final int D_IN = 8;
    private static final int D_SAE = 16;
    private static final int K = 4;

    @TempDir
    Path tmp;
    private NDManager root;

    @BeforeEach
    void open() {
        root = LanguageModel.newManager();
    }

    @AfterEach
    void close() {
        root.close();
    }

    private static SaeConfig config() {
        SaeConfig c = new SaeConfig();
        c.dIn = D_IN;
        c.dSae = D_SAE;
        c.k = K;
        c.modelName = "organism";
        c.hookName = "blocks.2.hook_resid_post";
        c.contextSize = 128;
        return c;
    }

    /** Random parameters; with bf16 = true every value is exactly representable in bfloat16. */
    private static Map<String, float[]> randomParams(long seed, boolean bf16) {
        Random r = new Random(seed);
        Map<String, float[]> p = new LinkedHashMap<>();
        p.put("W_enc", random(r, D_IN * D_SAE, bf16));
        p.put("b_enc", random(r, D_SAE, bf16));
        p.put("W_dec", random(r, D_SAE * D_IN, bf16));
        p.put("b_dec", random(r, D_IN, bf16));
        return p;
    }

    private static float[] random(Random r, int n, boolean bf16) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (float) r.nextGaussian() * 0.5f;
            a[i] = bf16 ? Float.intBitsToFloat(Float.floatToRawIntBits(v) & 0xffff0000) : v;
        }
        return a;
    }

    private static long[] shapeOf(String name) {
        return switch (name) {
            case "W_enc" -> new long[] {D_IN, D_SAE};
            case "b_enc" -> new long[] {D_SAE};
            case "W_dec" -> new long[] {D_SAE, D_IN};
            case "b_dec" -> new long[] {D_IN};
            default -> throw new IllegalArgumentException(name);
        };
    }

    private TopKSae inMemory(SaeConfig c, Map<String, float[]> params) {
        TopKSae sae = new TopKSae(c, root);
        params.forEach((name, data) -> sae.parameters().get(name).set(FloatBuffer.wrap(data)));
        return sae;
    }

    private NDArray inputs(long seed) {
        return root.create(random(new Random(seed), 32 * D_IN, false), new Shape(32, D_IN));
    }

    private static void writeF32(Path file, Map<String, float[]> params, List<String> order) {
        List<HostTensor> ts = new ArrayList<>();
        for (String name : order) {
            ts.add(new HostTensor(name, shapeOf(name), params.get(name)));
        }
        SafeTensors.write(file, ts, Map.of("format", "pt"));
    }

    /** A safetensors file written byte by byte: name -> (dtype, shape, little-endian data). */
    private record Raw(String dtype, long[] shape, byte[] data) {
    }

    private static void writeRaw(Path file, Map<String, Raw> tensors) throws Exception {
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long off = 0;
        for (Map.Entry<String, Raw> e : tensors.entrySet()) {
            StringBuilder shape = new StringBuilder();
            for (long d : e.getValue().shape()) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            h.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(e.getValue().dtype())
                    .append("\",\"shape\":[").append(shape).append("],\"data_offsets\":[").append(off).append(',')
                    .append(off + e.getValue().data().length).append("]}");
            off += e.getValue().data().length;
        }
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        for (Raw r : tensors.values()) {
            out.write(r.data());
        }
        Files.createDirectories(file.getParent());
        Files.write(file, out.toByteArray());
    }

    private static byte[] bf16Bytes(float[] a) {
        ByteBuffer b = ByteBuffer.allocate(2 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : a) {
            b.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        }
        return b.array();
    }

    private static void assertEncodesIdentically(Sae expected, Sae actual, NDArray x) {
        assertArrayEquals(expected.encode(x).toFloatArray(), actual.encode(x).toFloatArray());
        assertArrayEquals(expected.reconstruct(x).toFloatArray(), actual.reconstruct(x).toFloatArray());
    }

    // ----------------------------------------------------------------------------------------- round trip

    @Test
    void writeThenReadGivesIdenticalParametersAndConfig() throws Exception {
        SaeConfig c = config();
        c.applyBDecToInput = false;
        c.dtype = "bfloat16";
        c.normalizeActivations = "expected_average_only_in";
        c.extra.put("neuronpedia_note", "kept");
        c.extra.put("lr", 0.0004);
        c.extra.put("metadata", new LinkedHashMap<>(Map.of("dataset_path", "world-corpus")));
        Path dir = tmp.resolve("sae");
        try (TopKSae sae = inMemory(c, randomParams(1, false))) {
            SaeFolder.write(sae, dir);
            String cfg1 = Files.readString(dir.resolve(SaeFolder.CFG_FILE));
            try (Sae back = SaeFolder.read(dir, root)) {
                assertInstanceOf(TopKSae.class, back);
                for (String name : sae.parameters().keySet()) {
                    assertArrayEquals(sae.parameters().get(name).getShape().getShape(),
                            back.parameters().get(name).getShape().getShape(), name);
                    assertArrayEquals(sae.parameters().get(name).toFloatArray(),
                            back.parameters().get(name).toFloatArray(), name);
                }
                assertEquals(sae.parameters().keySet(), back.parameters().keySet());
                SaeConfig b = back.config();
                assertEquals(c.dIn, b.dIn);
                assertEquals(c.dSae, b.dSae);
                assertEquals(c.architecture, b.architecture);
                assertEquals(c.k, b.k);
                assertEquals(c.dtype, b.dtype);
                assertEquals(c.applyBDecToInput, b.applyBDecToInput);
                assertEquals(c.normalizeActivations, b.normalizeActivations);
                assertEquals(c.modelName, b.modelName);
                assertEquals(c.hookName, b.hookName);
                assertEquals(c.contextSize, b.contextSize);
                assertEquals(c.extra, b.extra);
                assertEncodesIdentically(sae, back, inputs(7));

                // writing what was read gives the same cfg.json
                Path again = tmp.resolve("again");
                SaeFolder.write(back, again);
                assertEquals(cfg1, Files.readString(again.resolve(SaeFolder.CFG_FILE)));
            }
            assertNull(SaeFolder.readSparsity(dir));
        }
    }

    @Test
    void cfgJsonHasTheSaeLensLayout() throws Exception {
        try (TopKSae sae = inMemory(config(), randomParams(2, false))) {
            Path dir = tmp.resolve("layout");
            SaeFolder.write(sae, dir);
            JsonNode cfg = new ObjectMapper().readTree(dir.resolve(SaeFolder.CFG_FILE).toFile());
            assertEquals(D_IN, cfg.get("d_in").asInt());
            assertEquals(D_SAE, cfg.get("d_sae").asInt());
            assertEquals("topk", cfg.get("architecture").asText());
            assertEquals(K, cfg.get("k").asInt());
            assertEquals("float32", cfg.get("dtype").asText());
            assertTrue(cfg.get("apply_b_dec_to_input").asBoolean());
            assertEquals("none", cfg.get("normalize_activations").asText());
            assertFalse(cfg.get("rescale_acts_by_decoder_norm").asBoolean());
            JsonNode meta = cfg.get("metadata");
            assertEquals("organism", meta.get("model_name").asText());
            assertEquals("blocks.2.hook_resid_post", meta.get("hook_name").asText());
            assertEquals(128, meta.get("context_size").asInt());
            assertTrue(meta.get("sae_lens_version").asText().startsWith("6."));
            assertFalse(cfg.has("model_name"), "metadata fields are nested, not top-level");

            Map<String, SafeTensors.Entry> w = SafeTensors.index(dir.resolve(SaeFolder.WEIGHTS_FILE));
            assertEquals(List.of("W_enc", "b_enc", "W_dec", "b_dec"), new ArrayList<>(w.keySet()));
            for (SafeTensors.Entry e : w.values()) {
                assertArrayEquals(shapeOf(e.name()), e.shape(), e.name());
            }
        }
    }

    // ------------------------------------------------------------------------- folders from the SAELens format

    @Test
    void readsAFolderWrittenInSaeLensCurrentLayout() throws Exception {
        Map<String, float[]> params = randomParams(3, false);
        Path dir = tmp.resolve("saelens6");
        Files.createDirectories(dir);
        // as SAELens 6 save_model writes it (SAEConfig.to_dict of a TopKSAEConfig)
        Files.writeString(dir.resolve("cfg.json"), """
                {"d_in": 8, "d_sae": 16, "dtype": "float32", "device": "cuda", "apply_b_dec_to_input": true,
                 "normalize_activations": "none", "reshape_activations": "none",
                 "metadata": {"sae_lens_version": "6.12.1", "sae_lens_training_version": "6.12.1",
                              "model_name": "organism", "hook_name": "blocks.2.hook_resid_post",
                              "hook_head_index": null, "context_size": 128, "prepend_bos": true,
                              "dataset_path": "world", "model_from_pretrained_kwargs": {}},
                 "k": 4, "rescale_acts_by_decoder_norm": false, "architecture": "topk"}
                """);
        writeF32(dir.resolve("sae_weights.safetensors"), params, List.of("W_dec", "b_dec", "b_enc", "W_enc"));
        try (TopKSae expected = inMemory(config(), params); Sae read = SaeFolder.read(dir, root)) {
            assertEquals("blocks.2.hook_resid_post", read.config().hookName);
            assertEquals("organism", read.config().modelName);
            assertEquals(128, read.config().contextSize);
            assertEquals(K, read.config().k);
            @SuppressWarnings("unchecked")
            Map<String, Object> meta = (Map<String, Object>) read.config().extra.get("metadata");
            assertEquals("6.12.1", meta.get("sae_lens_version"));
            assertEquals("world", meta.get("dataset_path"));
            assertTrue(meta.containsKey("hook_head_index"));
            assertEncodesIdentically(expected, read, inputs(11));

            // unknown metadata is written back
            Path again = tmp.resolve("again");
            SaeFolder.write(read, again);
            JsonNode cfg = new ObjectMapper().readTree(again.resolve("cfg.json").toFile());
            assertEquals("6.12.1", cfg.get("metadata").get("sae_lens_version").asText());
            assertEquals("world", cfg.get("metadata").get("dataset_path").asText());
            assertTrue(cfg.get("metadata").get("prepend_bos").asBoolean());
        }
    }

    @Test
    void readsAnOlderFlatLayoutWithBf16Weights() throws Exception {
        Map<String, float[]> params = randomParams(4, true);
        Path dir = tmp.resolve("saelens5");
        Files.createDirectories(dir);
        // pre-6 SAELens: flat metadata, hook_point, k in activation_fn_kwargs, boolean normalize_activations
        Files.writeString(dir.resolve("cfg.json"), """
                {"architecture": "topk", "d_in": 8, "d_sae": 16, "activation_fn_str": "topk",
                 "activation_fn_kwargs": {"k": 4}, "apply_b_dec_to_input": false, "finetuning_scaling_factor": false,
                 "context_size": 64, "model_name": "gpt2-small", "hook_point": "blocks.8.hook_resid_pre",
                 "hook_point_layer": 8, "hook_point_head_index": null, "prepend_bos": true,
                 "dataset_path": "Skylion007/openwebtext", "dtype": "torch.bfloat16", "device": "cuda",
                 "sae_lens_training_version": "3.4.0", "normalize_activations": false}
                """);
        Map<String, Raw> raw = new LinkedHashMap<>();
        for (String name : List.of("W_enc", "b_enc", "W_dec", "b_dec")) {
            raw.put(name, new Raw("BF16", shapeOf(name), bf16Bytes(params.get(name))));
        }
        raw.put("scaling_factor", new Raw("BF16", new long[] {D_SAE}, bf16Bytes(filled(D_SAE, 1f))));
        writeRaw(dir.resolve("sae_weights.safetensors"), raw);

        SaeConfig c = config();
        c.applyBDecToInput = false;
        try (TopKSae expected = inMemory(c, params); Sae read = SaeFolder.read(dir, root)) {
            SaeConfig rc = read.config();
            assertEquals(K, rc.k);
            assertEquals("gpt2-small", rc.modelName);
            assertEquals("blocks.8.hook_resid_pre", rc.hookName);
            assertEquals(64, rc.contextSize);
            assertEquals("bfloat16", rc.dtype);
            assertEquals("none", rc.normalizeActivations);
            assertFalse(rc.applyBDecToInput);
            assertEquals(8, rc.extra.get("hook_point_layer"));
            assertEncodesIdentically(expected, read, inputs(12));

            // written back in the current layout: metadata nested, version marking it as such
            Path again = tmp.resolve("again");
            SaeFolder.write(read, again);
            JsonNode cfg = new ObjectMapper().readTree(again.resolve("cfg.json").toFile());
            assertEquals("blocks.8.hook_resid_pre", cfg.get("metadata").get("hook_name").asText());
            assertEquals("Skylion007/openwebtext", cfg.get("metadata").get("dataset_path").asText());
            assertEquals(SaeFolder.LAYOUT_VERSION, cfg.get("metadata").get("sae_lens_version").asText());
            assertEquals(4, cfg.get("k").asInt());
            try (Sae again2 = SaeFolder.read(again, root)) {
                assertEncodesIdentically(expected, again2, inputs(13));
            }
        }
    }

    @Test
    void foldsDecoderNormsWhenTheFolderRescalesByThem() throws Exception {
        Map<String, float[]> params = randomParams(5, false);
        Path dir = tmp.resolve("rescaled");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cfg.json"), """
                {"d_in": 8, "d_sae": 16, "dtype": "float32", "apply_b_dec_to_input": true,
                 "normalize_activations": "none", "metadata": {"sae_lens_version": "6.3.0", "hook_name": "h"},
                 "k": 4, "rescale_acts_by_decoder_norm": true, "architecture": "topk"}
                """);
        writeF32(dir.resolve("sae_weights.safetensors"), params, List.of("W_enc", "b_enc", "W_dec", "b_dec"));
        NDArray x = inputs(14);
        // SAELens' TopKSAE with rescale_acts_by_decoder_norm: pre * |W_dec_j|, topk, then acts / |W_dec_j| @ W_dec
        NDArray wEnc = root.create(params.get("W_enc"), new Shape(D_IN, D_SAE));
        NDArray bEnc = root.create(params.get("b_enc"));
        NDArray wDec = root.create(params.get("W_dec"), new Shape(D_SAE, D_IN));
        NDArray bDec = root.create(params.get("b_dec"));
        NDArray norms = wDec.norm(new int[] {1});
        NDArray pre = x.sub(bDec).matMul(wEnc).add(bEnc).mul(norms);
        NDList top = pre.topK(K, -1, true, false);
        NDArray acts = pre.zerosLike().scatter(top.get(1), top.get(0).maximum(0f), -1);
        NDArray expectedRecon = acts.div(norms).matMul(wDec).add(bDec);
        try (Sae read = SaeFolder.read(dir, root)) {
            assertArrayEquals(acts.toFloatArray(), read.encode(x).toFloatArray(), 1e-4f);
            assertArrayEquals(expectedRecon.toFloatArray(), read.reconstruct(x).toFloatArray(), 1e-4f);
            assertFalse(read.config().extra.containsKey("rescale_acts_by_decoder_norm"));
        }
    }

    // ------------------------------------------------------------------------------------------------ errors

    private Path folderWith(String name, String cfg, Map<String, float[]> params, Map<String, long[]> shapes) {
        Path dir = tmp.resolve(name);
        try {
            Files.createDirectories(dir);
            if (cfg != null) {
                Files.writeString(dir.resolve("cfg.json"), cfg);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
        List<HostTensor> ts = new ArrayList<>();
        for (Map.Entry<String, float[]> p : params.entrySet()) {
            ts.add(new HostTensor(p.getKey(), shapes.getOrDefault(p.getKey(), shapeOf(p.getKey())), p.getValue()));
        }
        SafeTensors.write(dir.resolve("sae_weights.safetensors"), ts, null);
        return dir;
    }

    private static final String GOOD_CFG = """
            {"d_in": 8, "d_sae": 16, "dtype": "float32", "apply_b_dec_to_input": true, "normalize_activations": "none",
             "metadata": {"model_name": "m", "hook_name": "h", "context_size": 32}, "k": 4, "architecture": "topk"}
            """;

    @Test
    void goodFolderReads() {
        Path dir = folderWith("good", GOOD_CFG, randomParams(6, false), Map.of());
        try (Sae sae = SaeFolder.read(dir, root)) {
            assertEquals(32, sae.config().contextSize);
        }
    }

    @Test
    void missingCfgJsonIsAClearError() {
        Path dir = folderWith("nocfg", null, randomParams(6, false), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeFolder.read(dir, root));
        assertTrue(e.getMessage().contains("no cfg.json"), e.getMessage());
        assertTrue(e.getMessage().contains("nocfg"), e.getMessage());
    }

    @Test
    void missingFieldIsNamed() {
        Path dir = folderWith("nodsae", GOOD_CFG.replace("\"d_sae\": 16, ", ""), randomParams(6, false), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeFolder.read(dir, root));
        assertTrue(e.getMessage().contains("cfg.json"), e.getMessage());
        assertTrue(e.getMessage().contains("missing required field 'd_sae'"), e.getMessage());

        Path noK = folderWith("nok", GOOD_CFG.replace("\"k\": 4, ", ""), randomParams(6, false), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> SaeFolder.read(noK, root));
        assertTrue(e.getMessage().contains("missing required field 'k'"), e.getMessage());

        Path noArch = folderWith("noarch", GOOD_CFG.replace(", \"architecture\": \"topk\"", ""),
                randomParams(6, false), Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> SaeFolder.read(noArch, root));
        assertTrue(e.getMessage().contains("missing required field 'architecture'"), e.getMessage());
    }

    @Test
    void wrongShapeIsAClearError() {
        Map<String, float[]> params = randomParams(6, false);
        params.put("W_enc", new float[D_IN * (D_SAE - 1)]);
        Path dir = folderWith("shape", GOOD_CFG, params, Map.of("W_enc", new long[] {D_IN, D_SAE - 1}));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> SaeFolder.read(dir, root));
        assertTrue(e.getMessage().contains("sae_weights.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("tensor 'W_enc' has shape [8, 15], expected [8, 16]"), e.getMessage());
    }

    @Test
    void missingTensorIsAClearError() {
        Map<String, float[]> params = randomParams(6, false);
        params.remove("b_dec");
        Path dir = folderWith("notensor", GOOD_CFG, params, Map.of());
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> SaeFolder.read(dir, root));
        assertTrue(e.getMessage().contains("sae_weights.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("missing tensor 'b_dec'"), e.getMessage());
    }

    @Test
    void unexpectedTensorIsAClearError() {
        Map<String, float[]> params = randomParams(6, false);
        Path dir = tmp.resolve("extratensor");
        List<HostTensor> ts = new ArrayList<>();
        params.forEach((n, d) -> ts.add(new HostTensor(n, shapeOf(n), d)));
        ts.add(new HostTensor("threshold", new long[] {D_SAE}, new float[D_SAE]));
        SafeTensors.write(dir.resolve("sae_weights.safetensors"), ts, null);
        try {
            Files.writeString(dir.resolve("cfg.json"), GOOD_CFG);
        } catch (Exception ex) {
            throw new RuntimeException(ex);
        }
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> SaeFolder.read(dir, root));
        assertTrue(e.getMessage().contains("unexpected tensor 'threshold' for architecture 'topk'"), e.getMessage());
    }

    @Test
    void unknownArchitectureListsTheKnownOnes() {
        Path dir = folderWith("gated", GOOD_CFG.replace("\"topk\"", "\"gated\""), randomParams(6, false), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeFolder.read(dir, root));
        assertTrue(e.getMessage().contains("unknown SAE architecture 'gated'"), e.getMessage());
        assertTrue(e.getMessage().contains("known: topk"), e.getMessage());
        assertTrue(e.getMessage().contains("cfg.json"), e.getMessage());
    }

    @Test
    void unsupportedDtypesAreClearErrors() throws Exception {
        Path dir = folderWith("f64cfg", GOOD_CFG.replace("\"float32\"", "\"float64\""), randomParams(6, false), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeFolder.read(dir, root));
        assertTrue(e.getMessage().contains("field 'dtype' is 'float64'"), e.getMessage());

        Path f64 = tmp.resolve("f64weights");
        Map<String, Raw> raw = new LinkedHashMap<>();
        Map<String, float[]> params = randomParams(6, false);
        for (String name : params.keySet()) {
            float[] v = params.get(name);
            ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putDouble(f);
            }
            raw.put(name, new Raw("F64", shapeOf(name), b.array()));
        }
        writeRaw(f64.resolve("sae_weights.safetensors"), raw);
        Files.writeString(f64.resolve("cfg.json"), GOOD_CFG);
        TensorFormatException t = assertThrows(TensorFormatException.class, () -> SaeFolder.read(f64, root));
        assertTrue(t.getMessage().contains("unsupported dtype 'F64'"), t.getMessage());
        assertTrue(t.getMessage().contains("tensor 'W_enc'"), t.getMessage());
    }

    @Test
    void missingWeightsFileIsAClearError() throws Exception {
        Path dir = tmp.resolve("noweights");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cfg.json"), GOOD_CFG);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> SaeFolder.read(dir, root));
        assertTrue(e.getMessage().contains("no sae_weights.safetensors"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------- sparsity

    @Test
    void sparsityRoundTrips() throws Exception {
        float[] frac = new float[D_SAE];
        for (int i = 0; i < D_SAE; i++) {
            frac[i] = i == 0 ? 0f : (float) Math.pow(10, -i / 3.0);
        }
        Path dir = tmp.resolve("sparse");
        try (TopKSae sae = inMemory(config(), randomParams(8, false))) {
            SaeFolder.write(sae, dir, frac);
            float[] log = SaeFolder.readSparsity(dir);
            assertEquals(D_SAE, log.length);
            assertEquals(-10f, log[0], 1e-6f);
            for (int i = 0; i < D_SAE; i++) {
                assertEquals((float) Math.log10(frac[i] + 1e-10), log[i], 1e-6f, "latent " + i);
            }
            Map<String, SafeTensors.Entry> idx = SafeTensors.index(dir.resolve(SaeFolder.SPARSITY_FILE));
            assertArrayEquals(new long[] {D_SAE}, idx.get("sparsity").shape());
            float[] back = SaeFolder.readFiringFractions(dir);
            assertEquals(0f, back[0]);
            for (int i = 1; i < D_SAE; i++) {
                assertEquals(frac[i], back[i], frac[i] * 1e-3 + 2e-10, "latent " + i);
            }

            // rewriting without firing fractions removes the stale sparsity file
            SaeFolder.write(sae, dir);
            assertNull(SaeFolder.readSparsity(dir));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SaeFolder.write(sae, dir, new float[3]));
            assertTrue(e.getMessage().contains("expected d_sae = 16"), e.getMessage());
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() throws Exception {
        Object[][] cases = {{"W_dec", 3 * D_IN + 2, Float.NaN}, {"b_enc", 5, Float.POSITIVE_INFINITY},
                {"W_enc", 0, Float.NEGATIVE_INFINITY}};
        for (Object[] c : cases) {
            Path dir = tmp.resolve("bad-" + c[0]);
            Map<String, float[]> params = randomParams(3, false);
            params.get((String) c[0])[(Integer) c[1]] = (Float) c[2];
            Files.createDirectories(dir);
            writeF32(dir.resolve(SaeFolder.WEIGHTS_FILE), params, List.of("W_enc", "b_enc", "W_dec", "b_dec"));
            Files.writeString(dir.resolve(SaeFolder.CFG_FILE), SaeFolder.configJson(config()));
            TensorFormatException e = assertThrows(TensorFormatException.class, () -> SaeFolder.read(dir, root));
            assertEquals(dir.resolve(SaeFolder.WEIGHTS_FILE) + ": tensor '" + c[0] + "' holds " + c[2] + " at element "
                    + c[1] + " (weights must be finite numbers)", e.getMessage());
        }
        Path dir = tmp.resolve("bad-sparsity");
        try (TopKSae sae = inMemory(config(), randomParams(4, false))) {
            SaeFolder.write(sae, dir);
        }
        SafeTensors.write(dir.resolve(SaeFolder.SPARSITY_FILE), List.of(new HostTensor("sparsity", new long[] {D_SAE},
                new float[] {-1, -2, Float.NaN, -3, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1})), Map.of());
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> SaeFolder.readFiringFractions(dir));
        assertEquals(dir.resolve(SaeFolder.SPARSITY_FILE) + ": tensor 'sparsity' holds NaN at element 2 (log10 firing"
                + " fractions must be numbers, at most 0)", e.getMessage());
    }

    @Test
    void aConfigWhoseSizesDisagreeWithTheWeightsIsRefusedBeforeAllocating() throws Exception {
        Path dir = tmp.resolve("huge");
        try (TopKSae sae = inMemory(config(), randomParams(5, false))) {
            SaeFolder.write(sae, dir);
        }
        String cfg = Files.readString(dir.resolve(SaeFolder.CFG_FILE)).replace("\"d_sae\" : " + D_SAE,
                "\"d_sae\" : 2147483647");
        Files.writeString(dir.resolve(SaeFolder.CFG_FILE), cfg);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> SaeFolder.read(dir, root));
        assertEquals(dir.resolve(SaeFolder.WEIGHTS_FILE) + ": tensor 'W_enc' has shape [8, 16], expected [8, 2147483647]"
                + " (d_in 8, d_sae 2147483647 in cfg.json)", e.getMessage());
    }
}
