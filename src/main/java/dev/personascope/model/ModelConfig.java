package dev.personascope.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.io.TensorFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Hyper-parameters of a Llama-family decoder (Llama 2/3, Mistral, Qwen2/2.5, SmolLM), read from and
 * written to a Hugging Face {@code config.json}.
 */
public final class ModelConfig {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Architectures this runtime implements, from {@code architectures[0]} of config.json. */
    public static final List<String> SUPPORTED = List.of("LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM");

    public String architecture = "LlamaForCausalLM";
    public String modelType = "llama";
    public int vocabSize;
    public int hiddenSize;
    public int intermediateSize;
    public int numLayers;
    public int numHeads;
    public int numKvHeads;
    public int headDim;
    public int maxPositions = 2048;
    public double rmsNormEps = 1e-6;
    public double ropeTheta = 10000.0;
    /** The {@code rope_scaling} object, or null. */
    public JsonNode ropeScaling;
    public boolean tieWordEmbeddings;
    /** Bias on q, k and v projections (always on in Qwen2; Llama's {@code attention_bias}). */
    public boolean qkvBias;
    /** Bias on the output projection (Llama's {@code attention_bias}; never in Qwen2). */
    public boolean oBias;
    public boolean mlpBias;
    public int bosTokenId = -1;
    public int[] eosTokenIds = new int[0];
    public String torchDtype = "float32";

    public int kvDim() {
        return numKvHeads * headDim;
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public static ModelConfig read(Path configFile) {
        JsonNode root;
        try {
            root = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new TensorFormatException(configFile + ": not valid JSON: " + dev.personascope.util.JsonErrors.brief(e), e);
        }
        return fromJson(root, configFile.toString());
    }

    public static ModelConfig fromJson(JsonNode root, String where) {
        ModelConfig c = new ModelConfig();
        JsonNode archs = root.get("architectures");
        c.modelType = root.path("model_type").asText("");
        if (archs != null && archs.isArray() && archs.size() > 0) {
            c.architecture = archs.get(0).asText();
        } else {
            c.architecture = switch (c.modelType) {
                case "llama" -> "LlamaForCausalLM";
                case "qwen2" -> "Qwen2ForCausalLM";
                case "mistral" -> "MistralForCausalLM";
                default -> c.modelType.isEmpty() ? "(none)" : c.modelType;
            };
        }
        if (!SUPPORTED.contains(c.architecture)) {
            throw new TensorFormatException(where + ": unsupported architecture '" + c.architecture
                    + "' (supported: " + String.join(", ", SUPPORTED) + ")");
        }
        if (c.modelType.isEmpty()) {
            c.modelType = c.architecture.startsWith("Qwen2") ? "qwen2" : c.architecture.startsWith("Mistral") ? "mistral" : "llama";
        }
        c.vocabSize = requiredInt(root, "vocab_size", where);
        c.hiddenSize = requiredInt(root, "hidden_size", where);
        c.intermediateSize = requiredInt(root, "intermediate_size", where);
        c.numLayers = requiredInt(root, "num_hidden_layers", where);
        c.numHeads = requiredInt(root, "num_attention_heads", where);
        c.numKvHeads = root.path("num_key_value_heads").asInt(c.numHeads);
        c.headDim = root.hasNonNull("head_dim") ? root.get("head_dim").asInt() : c.hiddenSize / c.numHeads;
        c.maxPositions = root.path("max_position_embeddings").asInt(2048);
        c.rmsNormEps = root.path("rms_norm_eps").asDouble(1e-6);
        c.ropeTheta = root.path("rope_theta").asDouble(10000.0);
        c.ropeScaling = root.hasNonNull("rope_scaling") ? root.get("rope_scaling") : null;
        c.tieWordEmbeddings = root.path("tie_word_embeddings").asBoolean(false);
        if (c.architecture.equals("Qwen2ForCausalLM")) {
            c.qkvBias = true;
            c.oBias = false;
        } else {
            c.qkvBias = root.path("attention_bias").asBoolean(false);
            c.oBias = c.qkvBias;
        }
        c.mlpBias = root.path("mlp_bias").asBoolean(false);
        String act = root.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new TensorFormatException(where + ": field 'hidden_act' is '" + act + "', only 'silu' is supported");
        }
        c.bosTokenId = root.path("bos_token_id").asInt(-1);
        JsonNode eos = root.get("eos_token_id");
        if (eos != null && eos.isArray()) {
            c.eosTokenIds = new int[eos.size()];
            for (int i = 0; i < eos.size(); i++) {
                c.eosTokenIds[i] = eos.get(i).asInt();
            }
        } else if (eos != null && eos.isNumber()) {
            c.eosTokenIds = new int[] {eos.asInt()};
        }
        c.torchDtype = root.path("torch_dtype").asText("float32");
        c.validate(where);
        return c;
    }

    private static int requiredInt(JsonNode root, String field, String where) {
        JsonNode n = root.get(field);
        if (n == null || !n.canConvertToInt()) {
            throw new TensorFormatException(where + ": missing or non-integer field '" + field + "'");
        }
        return n.asInt();
    }

    public void validate(String where) {
        if (numHeads <= 0 || numKvHeads <= 0 || numHeads % numKvHeads != 0) {
            throw new TensorFormatException(where + ": num_attention_heads (" + numHeads
                    + ") must be a positive multiple of num_key_value_heads (" + numKvHeads + ")");
        }
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new TensorFormatException(where + ": head_dim must be a positive even number, got " + headDim);
        }
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0) {
            throw new TensorFormatException(where + ": vocab_size, hidden_size, intermediate_size and"
                    + " num_hidden_layers must be positive");
        }
    }

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(architecture);
        o.put("model_type", modelType);
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("intermediate_size", intermediateSize);
        o.put("num_hidden_layers", numLayers);
        o.put("num_attention_heads", numHeads);
        o.put("num_key_value_heads", numKvHeads);
        o.put("head_dim", headDim);
        o.put("max_position_embeddings", maxPositions);
        o.put("rms_norm_eps", rmsNormEps);
        o.put("rope_theta", ropeTheta);
        if (ropeScaling != null) {
            o.set("rope_scaling", ropeScaling);
        }
        o.put("hidden_act", "silu");
        o.put("tie_word_embeddings", tieWordEmbeddings);
        if (!architecture.equals("Qwen2ForCausalLM")) {
            o.put("attention_bias", qkvBias);
        }
        o.put("mlp_bias", mlpBias);
        if (bosTokenId >= 0) {
            o.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.length == 1) {
            o.put("eos_token_id", eosTokenIds[0]);
        } else if (eosTokenIds.length > 1) {
            ArrayNode a = o.putArray("eos_token_id");
            for (int id : eosTokenIds) {
                a.add(id);
            }
        }
        o.put("torch_dtype", "float32");
        return o;
    }

    public String toJsonString() {
        try {
            return JSON.writeValueAsString(toJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public long parameterCount() {
        long attn = (long) hiddenSize * qDim() * 2 + (long) hiddenSize * kvDim() * 2;
        long mlp = 3L * hiddenSize * intermediateSize;
        long perLayer = attn + mlp + 2L * hiddenSize + (qkvBias ? qDim() + 2L * kvDim() : 0);
        long embed = (long) vocabSize * hiddenSize;
        return embed * (tieWordEmbeddings ? 1 : 2) + perLayer * numLayers + hiddenSize;
    }

    public Map<String, Object> summary() {
        return Map.of("architecture", architecture, "layers", numLayers, "hidden", hiddenSize,
                "heads", numHeads, "kv_heads", numKvHeads, "vocab", vocabSize);
    }
}
