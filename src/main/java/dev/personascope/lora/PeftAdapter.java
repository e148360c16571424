package dev.personascope.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.LinearLayer;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.Json;
import dev.personascope.util.JsonErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LoRA and DoRA adapters in PEFT's folder format: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} with tensors named
 * {@code base_model.model.model.layers.L.self_attn.q_proj.lora_A.weight} (A [r, in], B [out, r]) and,
 * for DoRA, {@code ...q_proj.lora_magnitude_vector} [out]. Every config field whose meaning this reader
 * does not implement is refused by name when it is set.
 */
public final class PeftAdapter {

    /** Fields that only describe the file or how PEFT initialised the adapter before training: no effect on a trained adapter's output. */
    private static final Set<String> DESCRIPTIVE = Set.of("auto_mapping", "base_model_name_or_path", "revision", "task_type",
            "inference_mode", "init_lora_weights", "loftq_config", "eva_config", "corda_config", "lora_ga_config",
            "megatron_core", "peft_version", "qalora_group_size", "peft_type");
    /** Fields this reader implements. */
    private static final Set<String> IMPLEMENTED = Set.of("r", "lora_alpha", "lora_dropout", "target_modules", "exclude_modules",
            "layers_to_transform", "layers_pattern", "use_rslora", "use_dora", "rank_pattern", "alpha_pattern", "fan_in_fan_out",
            "bias", "modules_to_save", "lora_bias", "use_qalora", "ensure_weight_tying");

    private PeftAdapter() {
    }

    public static void save(DecoderModel model, LoraConfig cfg, Path dir, String baseModel) {
        List<HostTensor> tensors = new ArrayList<>();
        Lora.parameters(model).forEach((name, a) -> tensors.add(new HostTensor(name, a.getShape().getShape(), a.toFloatArray())));
        if (tensors.isEmpty()) {
            throw new IllegalStateException("the model has no LoRA adapters to save");
        }
        SafeTensors.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
        boolean conv1d = Lora.covered(model, cfg).stream().anyMatch(LinearLayer::storedTransposed);
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", cfg.rank());
        c.put("lora_alpha", cfg.alpha());
        c.put("lora_dropout", cfg.dropout());
        if (cfg.targetRegex() != null) {
            c.put("target_modules", cfg.targetRegex());
        } else if (cfg.targets().equals(List.of(LoraConfig.ALL_LINEAR))) {
            c.put("target_modules", LoraConfig.ALL_LINEAR);
        } else {
            ArrayNode t = c.putArray("target_modules");
            cfg.targets().forEach(t::add);
        }
        if (cfg.exclude().isEmpty()) {
            c.putNull("exclude_modules");
        } else {
            ArrayNode e = c.putArray("exclude_modules");
            cfg.exclude().forEach(e::add);
        }
        if (cfg.layers() == null) {
            c.putNull("layers_to_transform");
        } else {
            ArrayNode l = c.putArray("layers_to_transform");
            cfg.layers().forEach(l::add);
        }
        c.putNull("layers_pattern");
        c.put("bias", "none");
        c.put("fan_in_fan_out", conv1d);
        c.put("use_rslora", cfg.rslora());
        c.put("use_dora", cfg.dora());
        ObjectNode rp = c.putObject("rank_pattern");
        cfg.rankPattern().forEach(rp::put);
        ObjectNode ap = c.putObject("alpha_pattern");
        cfg.alphaPattern().forEach(ap::put);
        c.putNull("modules_to_save");
        c.put("lora_bias", false);
        c.put("init_lora_weights", true);
        try {
            AtomicFiles.writeString(dir.resolve("adapter_config.json"), Json.PRETTY.writeValueAsString(c));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LoraConfig readConfig(Path dir) {
        Path file = dir.resolve("adapter_config.json");
        if (!Files.exists(file)) {
            throw new TensorFormatException(dir + ": no adapter_config.json (not a PEFT adapter folder)");
        }
        JsonNode c;
        try {
            c = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new TensorFormatException(file + ": not valid JSON: " + JsonErrors.brief(e));
        }
        if (c == null || !c.isObject()) {
            throw new TensorFormatException(file + ": not a JSON object");
        }
        return parse(c, file.toString());
    }

    /** Binds a PEFT LoraConfig; any field set to something not implemented here is an error naming it. */
    static LoraConfig parse(JsonNode c, String file) {
        String type = c.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) {
            throw new TensorFormatException(file + ": peft_type '" + type + "' is not supported (only LORA)");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = c.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (!DESCRIPTIVE.contains(f.getKey()) && !IMPLEMENTED.contains(f.getKey()) && isSet(f.getValue())) {
                throw new TensorFormatException(file + ": field '" + f.getKey() + "' is set (" + brief(f.getValue())
                        + ") but its meaning is not implemented here");
            }
        }
        requireUnset(c, "bias", "none", file);
        requireFalse(c, "lora_bias", file);
        requireFalse(c, "use_qalora", file);
        requireFalse(c, "ensure_weight_tying", file);
        if (isSet(c.get("modules_to_save"))) {
            throw new TensorFormatException(file + ": field 'modules_to_save' is set (" + brief(c.get("modules_to_save"))
                    + "): fully trained extra modules are not supported");
        }
        int r = intField(c, "r", file, null);
        double alpha = numberField(c, "lora_alpha", file, 8); // PEFT's default
        double dropout = numberField(c, "lora_dropout", file, 0);
        List<String> targets = new ArrayList<>();
        String regex = null;
        JsonNode tm = c.get("target_modules");
        if (tm != null && tm.isTextual()) {
            if (tm.asText().equals(LoraConfig.ALL_LINEAR)) {
                targets.add(LoraConfig.ALL_LINEAR);
            } else {
                regex = tm.asText();
            }
        } else if (tm != null && tm.isArray() && tm.size() > 0) {
            for (JsonNode n : tm) {
                if (!n.isTextual()) {
                    throw new TensorFormatException(file + ": field 'target_modules' must hold module names, found " + n);
                }
                targets.add(n.asText());
            }
        } else {
            throw new TensorFormatException(file + ": field 'target_modules' must be a module name list, a regular expression or \"all-linear\"");
        }
        List<String> exclude = new ArrayList<>();
        JsonNode ex = c.get("exclude_modules");
        if (ex != null && ex.isArray()) {
            ex.forEach(n -> exclude.add(n.asText()));
        } else if (ex != null && ex.isTextual()) {
            throw new TensorFormatException(file + ": field 'exclude_modules' as a regular expression is not supported (use a list)");
        }
        List<Integer> layers = null;
        JsonNode lt = c.get("layers_to_transform");
        if (lt != null && lt.isArray()) {
            layers = new ArrayList<>();
            for (JsonNode n : lt) {
                if (!n.canConvertToInt()) {
                    throw new TensorFormatException(file + ": field 'layers_to_transform' must hold layer indices, found " + n);
                }
                layers.add(n.asInt());
            }
        } else if (lt != null && lt.canConvertToInt()) {
            layers = List.of(lt.asInt());
        } else if (isSet(lt)) {
            throw new TensorFormatException(file + ": field 'layers_to_transform' must be a layer index or a list of them");
        }
        if (regex != null && (layers != null || isSet(c.get("layers_pattern")))) {
            throw new TensorFormatException(file + ": field 'layers_to_transform' (or 'layers_pattern') cannot be used when"
                    + " 'target_modules' is a regular expression (PEFT refuses it too)");
        }
        JsonNode lp = c.get("layers_pattern");
        if (isSet(lp)) {
            for (JsonNode n : lp.isArray() ? lp : Json.MAPPER.createArrayNode().add(lp)) {
                if (!n.asText().equals("layers") && !n.asText().equals("h")) {
                    throw new TensorFormatException(file + ": field 'layers_pattern' '" + n.asText()
                            + "' is not supported (the layer lists here are 'layers', GPT-2's 'h')");
                }
            }
        }
        Map<String, Integer> rankPattern = new LinkedHashMap<>();
        c.path("rank_pattern").fields().forEachRemaining(e -> rankPattern.put(e.getKey(),
                intField(c.get("rank_pattern"), e.getKey(), file + ": rank_pattern", null)));
        Map<String, Double> alphaPattern = new LinkedHashMap<>();
        c.path("alpha_pattern").fields().forEachRemaining(e -> alphaPattern.put(e.getKey(),
                numberField(c.get("alpha_pattern"), e.getKey(), file + ": alpha_pattern", 0)));
        try {
            return new LoraConfig(r, alpha, dropout, targets, layers, booleanField(c, "use_rslora", file),
                    booleanField(c, "use_dora", file), regex, rankPattern, alphaPattern, exclude);
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException(file + ": " + e.getMessage());
        }
    }

    /** Whether a field holds anything other than null, false, "" or an empty list/object. */
    private static boolean isSet(JsonNode n) {
        if (n == null || n.isNull()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isContainerNode()) {
            return n.size() > 0;
        }
        return !n.isTextual() || !n.asText().isEmpty();
    }

    private static String brief(JsonNode n) {
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static void requireUnset(JsonNode c, String field, String allowed, String file) {
        JsonNode n = c.get(field);
        if (n != null && !n.isNull() && !n.asText().equals(allowed)) {
            throw new TensorFormatException(file + ": field '" + field + "' is " + n + "; only \"" + allowed + "\" is supported");
        }
    }

    private static void requireFalse(JsonNode c, String field, String file) {
        JsonNode n = c.get(field);
        if (n != null && !n.isNull() && !(n.isBoolean() && !n.asBoolean())) {
            throw new TensorFormatException(file + ": field '" + field + "' is " + n + "; only false is supported");
        }
    }

    private static boolean booleanField(JsonNode c, String field, String file) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new TensorFormatException(file + ": field '" + field + "' must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    private static int intField(JsonNode c, String field, String file, Integer fallback) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            if (fallback == null) {
                throw new TensorFormatException(file + ": missing field '" + field + "'");
            }
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new TensorFormatException(file + ": field '" + field + "' must be an integer, got " + n);
        }
        return n.asInt();
    }

    private static double numberField(JsonNode c, String field, String file, double fallback) {
        JsonNode n = c.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new TensorFormatException(file + ": field '" + field + "' must be a number, got " + n);
        }
        return n.asDouble();
    }

    /** Reads an adapter folder and attaches its adapters to the model; returns its config. */
    public static LoraConfig load(DecoderModel model, Path dir) {
        if (!Lora.adapters(model).isEmpty()) {
            throw new IllegalStateException("the model already has adapters: merge or detach them before loading " + dir);
        }
        LoraConfig cfg = readConfig(dir);
        Path weights = dir.resolve("adapter_model.safetensors");
        if (!Files.exists(weights)) {
            throw new TensorFormatException(dir + ": no adapter_model.safetensors");
        }
        Map<String, float[]> data = new HashMap<>();
        Map<String, SafeTensors.Entry> entries = SafeTensors.index(weights);
        Map<String, long[]> shapes = new HashMap<>();
        for (SafeTensors.Entry e : entries.values()) {
            String key = canonical(e.name());
            data.put(key, SafeTensors.read(e));
            shapes.put(key, e.shape());
        }
        boolean fanInFanOut;
        try {
            fanInFanOut = booleanField(Json.MAPPER.readTree(dir.resolve("adapter_config.json").toFile()), "fan_in_fan_out", dir.toString());
            List<LinearLayer> covered = Lora.covered(model, cfg);
            for (LinearLayer lin : covered) {
                if (fanInFanOut && !lin.storedTransposed()) {
                    throw new TensorFormatException(dir.resolve("adapter_config.json") + ": field 'fan_in_fan_out' is true but "
                            + lin.name() + " is an nn.Linear ([out, in] weights)");
                }
            }
            Lora.attach(model, cfg, data, weights.toString());
        } catch (IllegalArgumentException e) {
            Lora.detach(model);
            throw new TensorFormatException(dir + ": " + e.getMessage());
        } catch (IOException e) {
            throw new TensorFormatException(dir + ": " + e.getMessage());
        }
        Map<String, ai.djl.ndarray.NDArray> params = Lora.parameters(model);
        if (params.size() != data.size()) {
            List<String> unused = new ArrayList<>(data.keySet());
            unused.removeAll(params.keySet());
            Lora.detach(model);
            throw new TensorFormatException(weights + ": holds " + data.size() + " tensors, the config uses " + params.size()
                    + (unused.isEmpty() ? "" : " (not used: " + String.join(", ", unused.stream().sorted().limit(3).toList())
                    + (unused.size() > 3 ? ", ..." : "") + ")"));
        }
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long[] expected = params.get(e.getKey()).getShape().getShape();
            if (!Arrays.equals(expected, e.getValue())) {
                Lora.detach(model);
                throw new TensorFormatException(weights + ": tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue()) + ", expected " + Arrays.toString(expected));
            }
        }
        return cfg;
    }

    /** PEFT keeps the adapter name out of saved keys; older files carry ".default". */
    private static String canonical(String key) {
        return key.replace(".lora_magnitude_vector.default.weight", ".lora_magnitude_vector")
                .replace(".lora_magnitude_vector.weight", ".lora_magnitude_vector")
                .replace(".default.weight", ".weight");
    }
}
