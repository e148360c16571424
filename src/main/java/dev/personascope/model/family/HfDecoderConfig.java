package dev.personascope.model.family;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.Rope;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.util.Json;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The fields of a Hugging Face decoder's {@code config.json} that most families share, bound with
 * Jackson; families with more fields extend it. Reads both layouts: transformers 4's
 * {@code rope_theta}/{@code rope_scaling}/{@code torch_dtype} and transformers 5's
 * {@code rope_parameters}/{@code dtype}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class HfDecoderConfig {
    private static final ObjectReader READER = Json.MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    @JsonProperty("model_type") public String modelType;
    @JsonProperty("architectures") public List<String> architectures;
    @JsonProperty("vocab_size") public Integer vocabSize;
    @JsonProperty("hidden_size") public Integer hiddenSize;
    @JsonProperty("intermediate_size") public Integer intermediateSize;
    @JsonProperty("num_hidden_layers") public Integer numHiddenLayers;
    @JsonProperty("num_attention_heads") public Integer numAttentionHeads;
    @JsonProperty("num_key_value_heads") public Integer numKeyValueHeads;
    @JsonProperty("head_dim") public Integer headDim;
    @JsonProperty("max_position_embeddings") public Integer maxPositionEmbeddings;
    @JsonProperty("rms_norm_eps") public Double rmsNormEps;
    @JsonProperty("rope_theta") public Double ropeTheta;
    @JsonProperty("rope_scaling") public JsonNode ropeScaling;
    @JsonProperty("rope_parameters") public JsonNode ropeParameters;
    @JsonProperty("partial_rotary_factor") public Double partialRotaryFactor;
    @JsonProperty("tie_word_embeddings") public Boolean tieWordEmbeddings;
    @JsonProperty("attention_bias") public Boolean attentionBias;
    @JsonProperty("mlp_bias") public Boolean mlpBias;
    @JsonProperty("hidden_act") public String hiddenAct;
    @JsonProperty("bos_token_id") public JsonNode bosTokenId;
    @JsonProperty("eos_token_id") public JsonNode eosTokenId;
    @JsonProperty("torch_dtype") public String torchDtype;
    @JsonProperty("dtype") public String dtype;
    @JsonProperty("sliding_window") public Integer slidingWindow;
    @JsonProperty("use_sliding_window") public Boolean useSlidingWindow;
    @JsonProperty("max_window_layers") public Integer maxWindowLayers;
    @JsonProperty("layer_types") public List<String> layerTypes;

    /** Binds {@code root} to {@code type}; a field of the wrong type is an error naming it. */
    public static <T extends HfDecoderConfig> T bind(ObjectNode root, Class<T> type, String where) {
        warnNearMisses(root, type, where);
        try {
            return READER.treeToValue(root, type);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new TensorFormatException(where + ": field '" + field + "' has the wrong type ("
                    + e.getOriginalMessage().split("\n")[0] + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TensorFormatException(where + ": " + e.getOriginalMessage());
        }
    }

    /**
     * A key that the family does not read but that is one or two edits from one it does, or extends it
     * ("rms_norm_epsilon"), is
     * probably a typo that would silently leave the default in place: say so on stderr.
     */
    static void warnNearMisses(ObjectNode root, Class<?> type, String where) {
        java.util.Set<String> known = new java.util.HashSet<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                JsonProperty p = f.getAnnotation(JsonProperty.class);
                if (p != null) {
                    known.add(p.value());
                }
            }
        }
        root.fieldNames().forEachRemaining(k -> {
            if (known.contains(k) || k.length() < 5) {
                return;
            }
            for (String good : known) {
                boolean extended = (k.startsWith(good) || good.startsWith(k)) && Math.min(k.length(), good.length()) >= 6
                        && Math.abs(good.length() - k.length()) <= 5;
                if (extended || Math.abs(good.length() - k.length()) <= 3 && editDistance(good, k) <= 2) {
                    System.err.println("warning: " + where + ": unknown field '" + k + "' (did you mean '" + good
                            + "'? its default is used)");
                    return;
                }
            }
        });
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    public static int required(Integer v, String field, String where) {
        if (v == null) {
            throw new TensorFormatException(where + ": missing or non-integer field '" + field + "'");
        }
        return v;
    }

    /**
     * The common part of a {@link ModelConfig}: sizes, biases, tokens, dtype, a global rotary
     * embedding with {@code defaultTheta} and no sliding window. Families adjust the rest.
     */
    public ModelConfig toModelConfig(String family, String defaultArchitecture, String where, double defaultTheta) {
        ModelConfig c = new ModelConfig();
        c.family = family;
        c.architecture = architectures != null && !architectures.isEmpty() ? architectures.get(0) : defaultArchitecture;
        c.modelType = modelType != null ? modelType : family;
        c.vocabSize = required(vocabSize, "vocab_size", where);
        c.hiddenSize = required(hiddenSize, "hidden_size", where);
        c.intermediateSize = required(intermediateSize, "intermediate_size", where);
        c.numLayers = required(numHiddenLayers, "num_hidden_layers", where);
        c.numHeads = required(numAttentionHeads, "num_attention_heads", where);
        c.numKvHeads = numKeyValueHeads != null ? numKeyValueHeads : c.numHeads;
        c.headDim = headDim != null ? headDim : c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0;
        c.maxPositions = maxPositionEmbeddings != null ? maxPositionEmbeddings : 2048;
        c.rmsNormEps = rmsNormEps != null ? rmsNormEps : 1e-6;
        c.tieWordEmbeddings = tieWordEmbeddings != null && tieWordEmbeddings;
        c.qkvBias = attentionBias != null && attentionBias;
        c.oBias = c.qkvBias;
        c.mlpBias = mlpBias != null && mlpBias;
        c.bosTokenId = bosTokenId != null && bosTokenId.canConvertToInt() ? bosTokenId.asInt() : -1;
        if (eosTokenId != null && eosTokenId.isArray()) {
            c.eosTokenIds = new int[eosTokenId.size()];
            for (int i = 0; i < eosTokenId.size(); i++) {
                c.eosTokenIds[i] = eosTokenId.get(i).asInt();
            }
        } else if (eosTokenId != null && eosTokenId.canConvertToInt()) {
            c.eosTokenIds = new int[] {eosTokenId.asInt()};
        }
        c.torchDtype = dtype != null ? dtype : torchDtype != null ? torchDtype : "float32";
        ModelConfig.RopeSpec rope = rope(ropeParameters, c.headDim, defaultTheta, where);
        c.ropeTheta = rope.theta();
        c.rmsNormEps = rmsNormEps != null ? rmsNormEps : 1e-6;
        c.ropeScaling = rope.scaling();
        c.validate(where); // sizes first: a corrupt layer count must not allocate
        c.layers = new ModelConfig.LayerSpec[Math.max(0, c.numLayers)];
        java.util.Arrays.fill(c.layers, new ModelConfig.LayerSpec(0, rope));
        return c;
    }

    /**
     * The rotary embedding described by a flat {@code rope_parameters} object (transformers 5) or,
     * when that is absent, by rope_theta / rope_scaling / partial_rotary_factor (transformers 4).
     */
    public ModelConfig.RopeSpec rope(JsonNode params, int headDim, double defaultTheta, String where) {
        double theta;
        JsonNode scaling;
        double partial = partialRotaryFactor != null ? partialRotaryFactor : 1.0;
        if (params != null && params.isObject() && params.size() > 0) {
            // transformers 5: rope_theta inside, else the top-level field, else the family default
            theta = params.has("rope_theta") ? params.get("rope_theta").asDouble() : ropeTheta != null ? ropeTheta : defaultTheta;
            scaling = ropeType(params).equals("default") ? null : params;
            if (params.has("partial_rotary_factor")) {
                partial = params.get("partial_rotary_factor").asDouble();
            }
        } else {
            theta = ropeTheta != null ? ropeTheta : defaultTheta;
            scaling = null;
        }
        // a rope_scaling object (transformers 4) takes priority, as transformers 5 reads it
        if (ropeScaling != null && ropeScaling.isObject() && !ropeType(ropeScaling).equals("default")) {
            scaling = ropeScaling;
        }
        return spec(theta, scaling, headDim, partial, where);
    }

    /** rope_type, or the older key type, of a rope_scaling / rope_parameters object. */
    static String ropeType(JsonNode n) {
        return n.hasNonNull("rope_type") ? n.get("rope_type").asText() : n.path("type").asText("default");
    }

    public static ModelConfig.RopeSpec spec(double theta, JsonNode scaling, int headDim, double partial, String where) {
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw new TensorFormatException(where + ": rope_theta must be positive, got " + theta);
        }
        // checked here, before any family's validate(): the frequencies below need a positive, even width
        // (found by ConfigJsonFuzzTest: hidden_size -64 gave a NegativeArraySizeException)
        if (headDim <= 0) {
            throw new TensorFormatException(where + ": head_dim (or hidden_size / num_attention_heads) must be"
                    + " positive, got " + headDim);
        }
        int rotary = (int) (headDim * partial);
        if (!(partial > 0 && partial <= 1) || rotary <= 0 || rotary % 2 != 0) {
            throw new TensorFormatException(where + ": partial_rotary_factor " + partial + " gives " + rotary
                    + " rotary dims of head_dim " + headDim + " (must be a positive even number)");
        }
        ModelConfig.RopeSpec spec = new ModelConfig.RopeSpec(theta, scaling, rotary);
        try {
            Rope.inverseFrequencies(spec); // unsupported rope types fail here, when the config is read
        } catch (TensorFormatException e) {
            throw new TensorFormatException(where + ": " + e.getMessage().replaceFirst("^config.json: ", ""));
        }
        return spec;
    }

    /**
     * Which layers use a sliding window: {@code layer_types} when given, else {@code fallback}.
     * Returns per-layer windows (0 = global).
     */
    public int[] windows(int numLayers, boolean[] fallback, String where) {
        boolean[] sliding = fallback;
        if (layerTypes != null) {
            if (layerTypes.size() != numLayers) {
                throw new TensorFormatException(where + ": field 'layer_types' has " + layerTypes.size()
                        + " entries for " + numLayers + " layers");
            }
            sliding = new boolean[numLayers];
            for (int i = 0; i < numLayers; i++) {
                String t = layerTypes.get(i);
                if (!t.equals("full_attention") && !t.equals("sliding_attention")) {
                    throw new TensorFormatException(where + ": field 'layer_types' has '" + t
                            + "' (supported: full_attention, sliding_attention)");
                }
                sliding[i] = t.equals("sliding_attention");
            }
        }
        int[] out = new int[numLayers];
        for (int i = 0; i < numLayers; i++) {
            if (sliding != null && sliding[i]) {
                if (slidingWindow == null || slidingWindow <= 0) {
                    throw new TensorFormatException(where + ": layer " + i + " uses sliding attention but field"
                            + " 'sliding_window' is not a positive integer");
                }
                out[i] = slidingWindow;
            }
        }
        return out;
    }

    /** Sets each layer's sliding window, keeping its rotary embedding. */
    public static void setWindows(ModelConfig c, int[] windows) {
        for (int i = 0; i < c.numLayers; i++) {
            c.layers[i] = new ModelConfig.LayerSpec(windows[i], c.layers[i].rope());
        }
    }

    /** Qwen2/Qwen3/SmolLM3's rule without layer_types: layers from max_window_layers on slide when use_sliding_window. */
    public boolean[] qwenSlidingLayers(int numLayers) {
        boolean[] out = new boolean[numLayers];
        if (useSlidingWindow != null && useSlidingWindow && slidingWindow != null) {
            int from = maxWindowLayers != null ? maxWindowLayers : numLayers;
            for (int i = from; i < numLayers; i++) {
                out[i] = true;
            }
        }
        return out;
    }

    /** Every layer slides when sliding_window is set (Mistral, Phi-3). */
    public boolean[] allSlidingLayers(int numLayers) {
        boolean[] out = new boolean[numLayers];
        java.util.Arrays.fill(out, slidingWindow != null && slidingWindow > 0);
        return out;
    }

    /** The activation named by hidden_act (or hidden_activation). */
    public static ModelConfig.Activation activation(String name, String field, String where) {
        if (name == null) {
            return ModelConfig.Activation.SILU;
        }
        return switch (name) {
            case "silu", "swish" -> ModelConfig.Activation.SILU;
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> ModelConfig.Activation.GELU_TANH;
            default -> throw new TensorFormatException(where + ": field '" + field + "' is '" + name
                    + "' (supported: silu, gelu_pytorch_tanh, gelu_new)");
        };
    }
}
