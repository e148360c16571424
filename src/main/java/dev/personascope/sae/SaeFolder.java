package dev.personascope.sae;

import dev.personascope.util.NdArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.JsonErrors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes SAEs as SAELens folders.
 *
 * <ul>
 * <li>{@code cfg.json}, in the layout SAELens ≥ 6 writes ({@code SAEConfig.to_dict()} in
 * {@code sae_lens/saes/sae.py}, {@code TopKSAEConfig} in {@code sae_lens/saes/topk_sae.py}):
 * <pre>
 * {"d_in": 896, "d_sae": 16384, "dtype": "float32", "device": "cpu",
 *  "apply_b_dec_to_input": true, "normalize_activations": "none", "reshape_activations": "none",
 *  "metadata": {"sae_lens_version": "6.0.0", "model_name": "...", "hook_name": "blocks.6.hook_resid_post",
 *               "context_size": 512, ...},
 *  "k": 32, "rescale_acts_by_decoder_norm": false,          (topk-like architectures only)
 *  "architecture": "topk"}
 * </pre>
 * Older (pre-6) flat layouts are read too: {@code model_name}, {@code hook_name} (or {@code hook_point}) and
 * {@code context_size} at top level, {@code k} possibly in {@code activation_fn_kwargs}, a missing
 * {@code architecture} inferred as SAELens does ("topk" if the activation function is topk, else
 * "standard"), and {@code normalize_activations} as a boolean or null.</li>
 * <li>{@code sae_weights.safetensors}: the SAE's parameters by SAELens name ({@code W_enc} [d_in, d_sae],
 * {@code b_enc} [d_sae], {@code W_dec} [d_sae, d_in], {@code b_dec} [d_in], plus whatever else the
 * architecture has, e.g. {@code threshold} [d_sae] for jumprelu), written as F32, read from F32/F16/BF16.</li>
 * <li>optional {@code sparsity.safetensors}: {@code sparsity} [d_sae] = log10(firing fraction + 1e-10),
 * as SAELens' trainer saves it.</li>
 * </ul>
 *
 * <p>cfg.json fields we do not model are kept in {@link SaeConfig#extra} and written back: top-level ones
 * under their own names, unknown {@code metadata} entries as a map under the key {@code "metadata"}.
 * A TopK folder saved with {@code rescale_acts_by_decoder_norm: true} is folded on reading (W_enc and b_enc
 * scaled by the decoder row norms, W_dec rows divided by them), which encodes and decodes identically.
 *
 * <p>Every file is written atomically; cfg.json is written last, so a folder with a cfg.json is complete.
 */
public final class SaeFolder {
    public static final String CFG_FILE = "cfg.json";
    public static final String WEIGHTS_FILE = "sae_weights.safetensors";
    public static final String SPARSITY_FILE = "sparsity.safetensors";
    /** SAELens adds this before log10 so that never-firing latents get -10 rather than -inf. */
    public static final double SPARSITY_EPS = 1e-10;
    /**
     * The layout version we write as {@code metadata.sae_lens_version}: SAELens treats a cfg.json without
     * one (or older than 6.0.0) as a pre-6 flat layout and would then drop our nested metadata.
     */
    public static final String LAYOUT_VERSION = "6.0.0";

    /** Metadata keys SAELens' pre-6 conversion moves into {@code metadata} (LLM_METADATA_KEYS). */
    private static final Set<String> LEGACY_METADATA_KEYS = Set.of("model_name", "hook_name", "model_class_name",
            "hook_head_index", "model_from_pretrained_kwargs", "prepend_bos", "exclude_special_tokens",
            "neuronpedia_id", "context_size", "seqpos_slice", "dataset_path", "sae_lens_version",
            "sae_lens_training_version");
    private static final List<String> NORMALIZATIONS = List.of("none", "expected_average_only_in",
            "constant_norm_rescale", "layer_norm");
    private static final List<String> DTYPES = List.of("float32", "float16", "bfloat16");
    private static final String RESCALE = "rescale_acts_by_decoder_norm";


    private SaeFolder() {
    }

    // ------------------------------------------------------------------------------------------- write

    public static void write(Sae sae, Path dir) {
        write(sae, dir, null);
    }

    /**
     * Writes the SAE to {@code dir} (created if needed). With {@code firingFraction} ([d_sae], the fraction of
     * tokens on which each latent fired) also writes sparsity.safetensors; without it, removes a stale one.
     */
    public static void write(Sae sae, Path dir, float[] firingFraction) {
        SaeConfig c = sae.config();
        SaeRegistry.Architecture arch = SaeRegistry.get(c.architecture);
        checkParameterShapes(sae);
        if (firingFraction != null && firingFraction.length != c.dSae) {
            throw new IllegalArgumentException("firing fractions have length " + firingFraction.length
                    + ", expected d_sae = " + c.dSae);
        }
        String cfgJson = configJson(c, arch);

        List<HostTensor> tensors = new ArrayList<>();
        for (Map.Entry<String, NDArray> p : sae.parameters().entrySet()) {
            tensors.add(new HostTensor(p.getKey(), p.getValue().getShape().getShape(), hostFloats(p.getValue())));
        }
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));

        Path sparsityFile = dir.resolve(SPARSITY_FILE);
        if (firingFraction != null) {
            float[] log = new float[firingFraction.length];
            for (int i = 0; i < log.length; i++) {
                log[i] = (float) Math.log10(firingFraction[i] + SPARSITY_EPS);
            }
            SafeTensors.write(sparsityFile, List.of(new HostTensor("sparsity", new long[] {log.length}, log)),
                    Map.of("format", "pt"));
        } else {
            try {
                Files.deleteIfExists(sparsityFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove stale " + sparsityFile + ": " + e.getMessage(), e);
            }
        }
        AtomicFiles.writeString(dir.resolve(CFG_FILE), cfgJson);
    }

    /** The cfg.json text for a config, in SAELens' current layout and key order. */
    public static String configJson(SaeConfig c) {
        return configJson(c, SaeRegistry.get(c.architecture));
    }

    private static String configJson(SaeConfig c, SaeRegistry.Architecture arch) {
        Map<String, Object> extra = new LinkedHashMap<>(c.extra);
        Object extraMeta = extra.remove("metadata");
        if (extraMeta != null && !(extraMeta instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("SaeConfig.extra['metadata'] must be a map, got "
                    + extraMeta.getClass().getSimpleName());
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("d_in", c.dIn);
        root.put("d_sae", c.dSae);
        root.put("dtype", c.dtype);
        root.put("device", "cpu");
        root.put("apply_b_dec_to_input", c.applyBDecToInput);
        root.put("normalize_activations", c.normalizeActivations);
        root.set("reshape_activations", Json.MAPPER.valueToTree(extra.getOrDefault("reshape_activations", "none")));

        ObjectNode meta = root.putObject("metadata");
        Map<?, ?> em = extraMeta == null ? Map.of() : (Map<?, ?>) extraMeta;
        Object version = em.get("sae_lens_version");
        meta.set("sae_lens_version", Json.MAPPER.valueToTree(majorVersion(version) >= 6 ? version : LAYOUT_VERSION));
        meta.put("model_name", c.modelName);
        meta.put("hook_name", c.hookName);
        meta.put("context_size", c.contextSize);
        for (Map.Entry<?, ?> e : em.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!meta.has(key)) {
                meta.set(key, Json.MAPPER.valueToTree(e.getValue()));
            }
        }
        if (arch.usesK()) {
            root.put("k", c.k);
            // we never rescale by decoder norms (a folder that did is folded on reading)
            root.put(RESCALE, false);
        }
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            if (!root.has(e.getKey()) && !e.getKey().equals("architecture")) {
                root.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
            }
        }
        root.put("architecture", c.architecture);
        try {
            return Json.PRETTY.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode cfg.json: " + JsonErrors.brief(e), e);
        }
    }

    private static void checkParameterShapes(Sae sae) {
        SaeConfig c = sae.config();
        Map<String, long[]> expected = Map.of(
                "W_enc", new long[] {c.dIn, c.dSae}, "b_enc", new long[] {c.dSae},
                "W_dec", new long[] {c.dSae, c.dIn}, "b_dec", new long[] {c.dIn});
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NDArray p = sae.parameters().get(e.getKey());
            if (p != null && !Arrays.equals(p.getShape().getShape(), e.getValue())) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' has shape "
                        + Arrays.toString(p.getShape().getShape()) + ", but d_in = " + c.dIn + " and d_sae = "
                        + c.dSae + " need " + Arrays.toString(e.getValue()));
            }
        }
    }

    private static float[] hostFloats(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return a.toFloatArray();
        }
        try (NDArray f = a.toType(DataType.FLOAT32, false)) {
            return f.toFloatArray();
        }
    }

    // -------------------------------------------------------------------------------------------- read

    /**
     * Reads an SAE folder: its config from cfg.json and its parameters from sae_weights.safetensors, as the
     * architecture named in cfg.json (see {@link SaeRegistry}). The SAE's memory lives in a sub-manager of
     * {@code parent}.
     */
    public static Sae read(Path dir, NDManager parent) {
        SaeConfig config = readConfig(dir);
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new TensorFormatException(dir + ": no " + WEIGHTS_FILE);
        }
        Map<String, SafeTensors.Entry> entries = SafeTensors.index(weights);
        // every architecture has these four: their shapes must agree with cfg.json before anything is allocated
        // (a d_sae of 2^31 - 1 would otherwise ask for tens of gigabytes)
        Map<String, long[]> common = new LinkedHashMap<>();
        common.put("W_enc", new long[] {config.dIn, config.dSae});
        common.put("b_enc", new long[] {config.dSae});
        common.put("W_dec", new long[] {config.dSae, config.dIn});
        common.put("b_dec", new long[] {config.dIn});
        for (Map.Entry<String, long[]> c : common.entrySet()) {
            SafeTensors.Entry e = entries.get(c.getKey());
            if (e == null) {
                throw new TensorFormatException(weights + ": missing tensor '" + c.getKey() + "'");
            }
            if (!Arrays.equals(e.shape(), c.getValue())) {
                throw new TensorFormatException(weights + ": tensor '" + c.getKey() + "' has shape "
                        + Arrays.toString(e.shape()) + ", expected " + Arrays.toString(c.getValue()) + " (d_in "
                        + config.dIn + ", d_sae " + config.dSae + " in cfg.json)");
            }
        }
        boolean fold = SaeRegistry.get(config.architecture).usesK() && Boolean.TRUE.equals(config.extra.remove(RESCALE));
        Sae sae = SaeRegistry.create(config, parent);
        try {
            Map<String, float[]> values = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> p : sae.parameters().entrySet()) {
                String name = p.getKey();
                SafeTensors.Entry e = entries.get(name);
                if (e == null) {
                    throw new TensorFormatException(weights + ": missing tensor '" + name + "' (architecture '"
                            + config.architecture + "' needs " + String.join(", ", sae.parameters().keySet()) + ")");
                }
                long[] want = p.getValue().getShape().getShape();
                if (!Arrays.equals(e.shape(), want)) {
                    throw new TensorFormatException(weights + ": tensor '" + name + "' has shape "
                            + Arrays.toString(e.shape()) + ", expected " + Arrays.toString(want)
                            + " (d_in " + config.dIn + ", d_sae " + config.dSae + ")");
                }
                float[] data = SafeTensors.read(e);
                for (int i = 0; i < data.length; i++) {
                    if (!Float.isFinite(data[i])) {
                        throw new TensorFormatException(weights + ": tensor '" + name + "' holds " + data[i] + " at element "
                                + i + " (weights must be finite numbers)");
                    }
                }
                values.put(name, data);
            }
            for (SafeTensors.Entry e : entries.values()) {
                if (sae.parameters().containsKey(e.name())) {
                    continue;
                }
                if (e.name().equals("scaling_factor") && allOnes(SafeTensors.read(e))) {
                    continue; // SAELens drops an all-ones scaling factor too
                }
                throw new TensorFormatException(weights + ": unexpected tensor '" + e.name() + "' for architecture '"
                        + config.architecture + "' (expected " + String.join(", ", sae.parameters().keySet()) + ")");
            }
            if (fold) {
                foldDecoderNorms(values, config);
            }
            for (Map.Entry<String, float[]> v : values.entrySet()) {
                NdArrays.overwrite(sae.parameters().get(v.getKey()), v.getValue());
            }
            return sae;
        } catch (RuntimeException e) {
            sae.close();
            throw e;
        }
    }

    /**
     * Reads an SAE folder for use on {@code lm}'s activations: its d_in must be the model's width (checked from
     * cfg.json before the weights are read), and its memory lives in a sub-manager of the model's manager.
     */
    public static Sae readFor(Path dir, LanguageModel lm) {
        checkWidth(dir, readConfig(dir), lm.config().hiddenSize);
        return read(dir, lm.model().manager());
    }

    /** An error naming both widths when an SAE's d_in is not the width of the model's activations. */
    public static void checkWidth(Path dir, SaeConfig c, int modelWidth) {
        if (c.dIn != modelWidth) {
            throw new IllegalArgumentException("SAE " + dir + " has d_in " + c.dIn + ", but the model's activations at "
                    + c.hookName + " are " + modelWidth + " wide" + (c.modelName == null ? ""
                    : " (the SAE was made for '" + c.modelName + "')"));
        }
    }

    /** Parses and checks cfg.json without loading weights. */
    public static SaeConfig readConfig(Path dir) {
        Path file = dir.resolve(CFG_FILE);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such SAE folder");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + ": no " + CFG_FILE + " (not an SAELens SAE folder)");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + JsonErrors.brief(e));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        return parseConfig((ObjectNode) root.deepCopy(), file.toString());
    }

    static SaeConfig parseConfig(ObjectNode cfg, String where) {
        SaeConfig c = new SaeConfig();
        JsonNode metaNode = cfg.remove("metadata");
        boolean legacy = metaNode == null || !metaNode.isObject();
        if (metaNode != null && !metaNode.isObject() && !metaNode.isNull()) {
            throw new IllegalArgumentException(where + ": field 'metadata' must be an object");
        }
        ObjectNode meta = legacy ? Json.MAPPER.createObjectNode() : (ObjectNode) metaNode;

        c.dIn = positiveInt(cfg.remove("d_in"), "d_in", where);
        c.dSae = positiveInt(cfg.remove("d_sae"), "d_sae", where);

        JsonNode archNode = cfg.remove("architecture");
        if (archNode == null || archNode.isNull()) {
            if (!legacy) {
                throw new IllegalArgumentException(where + ": missing required field 'architecture'");
            }
            // SAELens' pre-6 conversion defaults to "standard"; TopK then showed as the activation function
            String fn = text(cfg.get("activation_fn_str"), text(cfg.get("activation_fn"), ""));
            c.architecture = fn.equals("topk") ? "topk" : "standard";
        } else {
            c.architecture = string(archNode, "architecture", where);
        }
        SaeRegistry.Architecture arch = SaeRegistry.find(c.architecture);
        if (arch == null) {
            throw new IllegalArgumentException(where + ": unknown SAE architecture '" + c.architecture
                    + "' (known: " + String.join(", ", SaeRegistry.names()) + ")");
        }

        if (arch.usesK()) {
            JsonNode k = cfg.remove("k");
            if (k == null || k.isNull()) {
                JsonNode kwargs = cfg.get("activation_fn_kwargs");
                k = kwargs != null && kwargs.isObject() ? kwargs.get("k") : null;
            }
            if (k == null || k.isNull()) {
                throw new IllegalArgumentException(where + ": missing required field 'k' (architecture '"
                        + c.architecture + "')");
            }
            c.k = positiveInt(k, "k", where);
            if (c.k > c.dSae) {
                throw new IllegalArgumentException(where + ": field 'k' is " + c.k + ", more than d_sae = " + c.dSae);
            }
            JsonNode rescale = cfg.remove(RESCALE);
            if (rescale != null && !rescale.isNull()) {
                if (!rescale.isBoolean()) {
                    throw new IllegalArgumentException(where + ": field '" + RESCALE + "' must be true or false");
                }
                if (rescale.asBoolean()) {
                    c.extra.put(RESCALE, true); // consumed by read(): the weights are folded
                }
            }
        }

        JsonNode dtype = cfg.remove("dtype");
        if (dtype != null && !dtype.isNull()) {
            String d = string(dtype, "dtype", where);
            String shortName = d.startsWith("torch.") ? d.substring("torch.".length()) : d;
            if (!DTYPES.contains(shortName)) {
                throw new IllegalArgumentException(where + ": field 'dtype' is '" + d + "' (supported: "
                        + String.join(", ", DTYPES) + ")");
            }
            c.dtype = shortName;
        }

        JsonNode bDec = cfg.remove("apply_b_dec_to_input");
        if (bDec != null && !bDec.isNull()) {
            if (!bDec.isBoolean()) {
                throw new IllegalArgumentException(where + ": field 'apply_b_dec_to_input' must be true or false");
            }
            c.applyBDecToInput = bDec.asBoolean();
        }

        JsonNode norm = cfg.remove("normalize_activations");
        if (norm == null || norm.isNull()) {
            c.normalizeActivations = "none";
        } else if (norm.isBoolean()) { // pre-6 SAELens
            c.normalizeActivations = norm.asBoolean() ? "expected_average_only_in" : "none";
        } else {
            String n = string(norm, "normalize_activations", where);
            if (!NORMALIZATIONS.contains(n)) {
                throw new IllegalArgumentException(where + ": field 'normalize_activations' is '" + n
                        + "' (supported: " + String.join(", ", NORMALIZATIONS) + ")");
            }
            c.normalizeActivations = n;
        }

        // model_name, hook_name, context_size: in metadata (current layout) or at top level (older layouts)
        JsonNode modelName = take(meta, cfg, "model_name");
        if (modelName != null) {
            c.modelName = string(modelName, "model_name", where);
        }
        JsonNode hookName = take(meta, cfg, "hook_name");
        if (hookName == null) {
            hookName = take(meta, cfg, "hook_point"); // SAELens < 3
        }
        if (hookName != null) {
            c.hookName = string(hookName, "hook_name", where);
        }
        JsonNode contextSize = take(meta, cfg, "context_size");
        if (contextSize != null) {
            c.contextSize = positiveInt(contextSize, "context_size", where);
        }

        // SAELens-only settings we write ourselves: the device it last ran on (we write "cpu"), the default
        // reshape, and the layout version we write
        cfg.remove("device");
        if ("none".equals(text(cfg.get("reshape_activations"), null))) {
            cfg.remove("reshape_activations");
        }
        if (LAYOUT_VERSION.equals(text(meta.get("sae_lens_version"), null))) {
            meta.remove("sae_lens_version");
        }

        Map<String, Object> extraMeta = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> mf = meta.fields();
        while (mf.hasNext()) {
            Map.Entry<String, JsonNode> e = mf.next();
            extraMeta.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class));
        }
        Iterator<Map.Entry<String, JsonNode>> cf = cfg.fields();
        while (cf.hasNext()) {
            Map.Entry<String, JsonNode> e = cf.next();
            Object v = Json.MAPPER.convertValue(e.getValue(), Object.class);
            if (legacy && LEGACY_METADATA_KEYS.contains(e.getKey())) {
                extraMeta.putIfAbsent(e.getKey(), v);
            } else {
                c.extra.put(e.getKey(), v);
            }
        }
        if (!extraMeta.isEmpty()) {
            c.extra.put("metadata", extraMeta);
        }
        return c;
    }

    // -------------------------------------------------------------------------------------------- sparsity

    /** The stored log10 firing fractions ({@code sparsity} [d_sae]), or null if the folder has no sparsity file. */
    public static float[] readSparsity(Path dir) {
        Path file = dir.resolve(SPARSITY_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        SafeTensors.Entry e = SafeTensors.index(file).get("sparsity");
        if (e == null) {
            throw new TensorFormatException(file + ": missing tensor 'sparsity'");
        }
        if (e.shape().length != 1) {
            throw new TensorFormatException(file + ": tensor 'sparsity' has shape " + Arrays.toString(e.shape())
                    + ", expected [d_sae]");
        }
        float[] log = SafeTensors.read(e);
        for (int i = 0; i < log.length; i++) {
            if (Float.isNaN(log[i]) || log[i] > 1e-3f) { // log10(1 + 1e-10) rounds above 0
                throw new TensorFormatException(file + ": tensor 'sparsity' holds " + log[i] + " at element " + i
                        + " (log10 firing fractions must be numbers, at most 0)");
            }
        }
        return log;
    }

    /**
     * Firing fractions recovered from the stored log10 values (10^s, with s ≤ -10, SAELens' floor, read
     * as 0), or null if the folder has no sparsity file.
     */
    public static float[] readFiringFractions(Path dir) {
        float[] log = readSparsity(dir);
        if (log == null) {
            return null;
        }
        float[] out = new float[log.length];
        for (int i = 0; i < log.length; i++) {
            out[i] = log[i] <= (float) Math.log10(SPARSITY_EPS) ? 0f : (float) Math.pow(10, log[i]);
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------- helpers

    /** W_enc[:, j] and b_enc[j] times ‖W_dec[j]‖, W_dec[j] divided by it (SAELens' _fold_norm_topk). */
    private static void foldDecoderNorms(Map<String, float[]> v, SaeConfig c) {
        float[] wEnc = v.get("W_enc");
        float[] bEnc = v.get("b_enc");
        float[] wDec = v.get("W_dec");
        for (int j = 0; j < c.dSae; j++) {
            double sq = 0;
            for (int d = 0; d < c.dIn; d++) {
                double x = wDec[j * c.dIn + d];
                sq += x * x;
            }
            float norm = (float) Math.max(Math.sqrt(sq), 1e-8);
            for (int d = 0; d < c.dIn; d++) {
                wDec[j * c.dIn + d] /= norm;
                wEnc[d * c.dSae + j] *= norm;
            }
            bEnc[j] *= norm;
        }
    }

    /** The leading number of a version string ("6.5.1" -> 6), or -1. */
    private static int majorVersion(Object version) {
        if (!(version instanceof String v)) {
            return -1;
        }
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 || end > 6 ? -1 : Integer.parseInt(v.substring(0, end));
    }

    private static boolean allOnes(float[] a) {
        for (float x : a) {
            if (x != 1f) {
                return false;
            }
        }
        return true;
    }

    /** Removes and returns a field from metadata, else from the top level; null if neither has it (or it is null). */
    private static JsonNode take(ObjectNode meta, ObjectNode top, String name) {
        JsonNode m = meta.remove(name);
        JsonNode t = top.remove(name);
        JsonNode v = m != null && !m.isNull() ? m : t;
        return v == null || v.isNull() ? null : v;
    }

    private static int positiveInt(JsonNode n, String field, String where) {
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException(where + ": missing required field '" + field + "'");
        }
        if (!n.isNumber() || !n.canConvertToExactIntegral() || !n.canConvertToInt() || n.asInt() <= 0) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a positive integer, got " + n);
        }
        return n.asInt();
    }

    private static String string(JsonNode n, String field, String where) {
        if (!n.isTextual()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a string, got " + n);
        }
        return n.asText();
    }

    private static String text(JsonNode n, String fallback) {
        return n != null && n.isTextual() ? n.asText() : fallback;
    }
}
