package dev.personascope.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.DecoderModel;
import dev.personascope.model.io.HostTensor;
import dev.personascope.model.io.SafeTensors;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.util.AtomicFiles;
import dev.personascope.util.JsonErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters in PEFT's folder format: {@code adapter_config.json} and
 * {@code adapter_model.safetensors} with tensors named
 * {@code base_model.model.model.layers.L.self_attn.q_proj.lora_A.weight} (A [r, in], B [out, r]).
 */
public final class PeftAdapter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PeftAdapter() {
    }

    public static void save(DecoderModel model, LoraConfig cfg, Path dir, String baseModel) {
        List<HostTensor> tensors = new ArrayList<>();
        Lora.parameters(model).forEach((name, a) -> tensors.add(new HostTensor(name, a.getShape().getShape(), a.toFloatArray())));
        if (tensors.isEmpty()) {
            throw new IllegalStateException("the model has no LoRA adapters to save");
        }
        SafeTensors.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", cfg.rank());
        c.put("lora_alpha", cfg.alpha());
        c.put("lora_dropout", cfg.dropout());
        ArrayNode t = c.putArray("target_modules");
        cfg.targets().forEach(t::add);
        if (cfg.layers() == null) {
            c.putNull("layers_to_transform");
        } else {
            ArrayNode l = c.putArray("layers_to_transform");
            cfg.layers().forEach(l::add);
        }
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("use_rslora", cfg.rslora());
        c.putNull("modules_to_save");
        c.put("init_lora_weights", true);
        try {
            AtomicFiles.writeString(dir.resolve("adapter_config.json"), JSON.writeValueAsString(c));
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
            c = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new TensorFormatException(file + ": not valid JSON: " + JsonErrors.brief(e));
        }
        String type = c.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) {
            throw new TensorFormatException(file + ": peft_type '" + type + "' is not supported (only LORA)");
        }
        if (!c.path("bias").asText("none").equals("none") || c.path("fan_in_fan_out").asBoolean(false)
                || c.path("rank_pattern").size() > 0 || c.path("alpha_pattern").size() > 0
                || c.hasNonNull("modules_to_save") && c.get("modules_to_save").size() > 0) {
            throw new TensorFormatException(file + ": bias, fan_in_fan_out, rank/alpha patterns and modules_to_save"
                    + " are not supported");
        }
        if (!c.has("r")) {
            throw new TensorFormatException(file + ": missing field 'r'");
        }
        List<String> targets = new ArrayList<>();
        JsonNode tm = c.get("target_modules");
        if (tm == null || !tm.isArray()) {
            throw new TensorFormatException(file + ": field 'target_modules' must be a list of module names");
        }
        tm.forEach(n -> targets.add(n.asText()));
        List<Integer> layers = null;
        JsonNode lt = c.get("layers_to_transform");
        if (lt != null && lt.isArray()) {
            layers = new ArrayList<>();
            for (JsonNode n : lt) {
                layers.add(n.asInt());
            }
        } else if (lt != null && lt.isInt()) {
            layers = List.of(lt.asInt());
        }
        int r = c.get("r").asInt();
        try {
            return new LoraConfig(r, c.path("lora_alpha").asDouble(r), c.path("lora_dropout").asDouble(0),
                    targets, layers, c.path("use_rslora").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException(file + ": " + e.getMessage());
        }
    }

    /** Reads an adapter folder and attaches its adapters to the model; returns its config. */
    public static LoraConfig load(DecoderModel model, Path dir) {
        LoraConfig cfg = readConfig(dir);
        Path weights = dir.resolve("adapter_model.safetensors");
        if (!Files.exists(weights)) {
            throw new TensorFormatException(dir + ": no adapter_model.safetensors");
        }
        Map<String, float[]> data = new HashMap<>();
        Map<String, SafeTensors.Entry> entries = SafeTensors.index(weights);
        for (SafeTensors.Entry e : entries.values()) {
            // PEFT keeps the adapter name out of saved keys; older files may carry ".default"
            data.put(e.name().replace(".default.weight", ".weight"), SafeTensors.read(e));
        }
        try {
            Lora.attach(model, cfg, data, weights.toString());
        } catch (IllegalArgumentException e) {
            Lora.detach(model);
            throw new TensorFormatException(e.getMessage());
        }
        int used = Lora.parameters(model).size();
        if (used != data.size()) {
            Lora.detach(model);
            throw new TensorFormatException(weights + ": holds " + data.size() + " tensors, the config's targets use " + used);
        }
        for (Map.Entry<String, SafeTensors.Entry> e : entries.entrySet()) {
            String key = e.getKey().replace(".default.weight", ".weight");
            long[] expected = Lora.parameters(model).get(key).getShape().getShape();
            if (!java.util.Arrays.equals(expected, e.getValue().shape())) {
                Lora.detach(model);
                throw new TensorFormatException(weights + ": tensor '" + e.getKey() + "' has shape "
                        + java.util.Arrays.toString(e.getValue().shape()) + ", expected " + java.util.Arrays.toString(expected));
            }
        }
        return cfg;
    }
}
