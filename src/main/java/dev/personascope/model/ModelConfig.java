package dev.personascope.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.util.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * What a decoder needs to know about one model, whatever its family: sizes, the parts of its blocks
 * and, per layer, the attention window and rotary embedding. A family ({@link ModelFamily}) reads its
 * own {@code config.json} into this and writes it back; the source JSON is kept so that saving passes
 * every field through.
 */
public final class ModelConfig {

    /** How a norm normalises and applies its weight. */
    public enum NormKind {
        /** x / rms(x) · w (Llama). */
        RMS,
        /** x / rms(x) · (1 + w) (Gemma). */
        RMS_PLUS_ONE,
        /** (x − mean) / std · w + b (GPT-2). */
        LAYER
    }

    /** Where a block normalises queries and keys. */
    public enum QkNorm {
        NONE,
        /** Over head_dim, per head, before RoPE (Qwen3, Gemma 3). */
        PER_HEAD,
        /** Over the whole q / k projection, before the head split (OLMo-2). */
        FULL
    }

    /** The MLP's non-linearity. */
    public enum Activation {
        SILU,
        /** GELU, tanh approximation (gelu_pytorch_tanh, gelu_new). */
        GELU_TANH
    }

    /** Rotary embedding of one layer: base, optional rope_scaling object, number of rotated dims. */
    public record RopeSpec(double theta, JsonNode scaling, int rotaryDim) {
    }

    /** One layer's attention: its sliding window (0 = none) and rotary embedding (null = NoPE). */
    public record LayerSpec(int slidingWindow, RopeSpec rope) {
    }

    /** More layers (or heads) than any model has: a config asking for them is corrupt, not large. */
    static final int MAX_LAYERS = 4096;

    /** The family's registry name ({@link ModelFamily#name()}). */
    public String family = "llama";
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
    /** Epsilon of every norm (rms_norm_eps; GPT-2's layer_norm_epsilon). */
    public double rmsNormEps = 1e-6;
    /** Default rotary base and scaling, used when {@link #layers} is not set. */
    public double ropeTheta = 10000.0;
    /** The {@code rope_scaling} object, or null. */
    public JsonNode ropeScaling;
    public boolean tieWordEmbeddings;
    /** Bias on q, k and v projections. */
    public boolean qkvBias;
    /** Bias on the attention output projection. */
    public boolean oBias;
    public boolean mlpBias;
    public int bosTokenId = -1;
    public int[] eosTokenIds = new int[0];
    /** The dtype the checkpoint was saved in (torch name: float32, bfloat16, float16). */
    public String torchDtype = "float32";

    // the parts of a block; the defaults are Llama's
    public NormKind norm = NormKind.RMS;
    public Activation activation = Activation.SILU;
    public QkNorm qkNorm = QkNorm.NONE;
    /** Multiplier of q·k; 0 means 1/√head_dim. */
    public double attentionScale;
    /** Attention logits pass through c·tanh(s/c) after scaling (Gemma 2); 0 = off. */
    public double attentionSoftcap;
    /** Output logits pass through c·tanh(l/c) (Gemma 2); 0 = off. */
    public double finalSoftcap;
    /** Token embeddings are multiplied by √hidden (Gemma). */
    public boolean scaleEmbeddings;
    /** Per-layer attention; null means every layer global with {@link #ropeTheta}/{@link #ropeScaling}. */
    public LayerSpec[] layers;

    /** The config.json this was read from (null for configs built in code); saving passes its fields through. */
    public ObjectNode source;

    public int kvDim() {
        return numKvHeads * headDim;
    }

    public int qDim() {
        return numHeads * headDim;
    }

    /** The layer's attention window and rotary embedding. */
    public LayerSpec layer(int i) {
        if (layers != null) {
            return layers[i];
        }
        return new LayerSpec(0, new RopeSpec(ropeTheta, ropeScaling, headDim));
    }

    /** The q·k multiplier. */
    public double scale() {
        return attentionScale > 0 ? attentionScale : 1.0 / Math.sqrt(headDim);
    }

    /** Reads a Hugging Face config.json through the family its architecture names. */
    public static ModelConfig read(Path configFile) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new TensorFormatException(configFile + ": not valid JSON: " + dev.personascope.util.JsonErrors.brief(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new TensorFormatException(configFile + ": not a JSON object");
        }
        return ModelFamilies.forConfig(root, configFile.toString()).readConfig((ObjectNode) root, configFile.toString());
    }

    public ModelFamily familyImpl() {
        return ModelFamilies.get(family);
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
        if (numLayers > MAX_LAYERS || numHeads > MAX_LAYERS || hiddenSize > (1 << 20) || vocabSize > (1 << 24)) {
            throw new TensorFormatException(where + ": num_hidden_layers " + numLayers + ", num_attention_heads " + numHeads
                    + ", hidden_size " + hiddenSize + " or vocab_size " + vocabSize + " is beyond any real model");
        }
        if (maxPositions <= 0) {
            // found by ConfigJsonFuzzTest: a negative context length was accepted
            throw new TensorFormatException(where + ": max_position_embeddings (n_positions) must be positive, got "
                    + maxPositions);
        }
        if (!(rmsNormEps > 0) || Double.isInfinite(rmsNormEps)) {
            throw new TensorFormatException(where + ": the norm epsilon (rms_norm_eps / layer_norm_epsilon) must be a"
                    + " positive number, got " + rmsNormEps);
        }
        if (layers != null && layers.length != numLayers) {
            throw new TensorFormatException(where + ": " + layers.length + " layer types for " + numLayers + " layers");
        }
        if (layers != null) {
            for (LayerSpec l : layers) {
                if (l.rope() != null && (l.rope().rotaryDim() <= 0 || l.rope().rotaryDim() > headDim
                        || l.rope().rotaryDim() % 2 != 0)) {
                    throw new TensorFormatException(where + ": partial_rotary_factor gives " + l.rope().rotaryDim()
                            + " rotary dims of head_dim " + headDim);
                }
            }
        }
    }

    /** config.json for this model: the source's fields with this config's values written over them. */
    public ObjectNode toJson() {
        return familyImpl().writeConfig(this);
    }

    public String toJsonString() {
        try {
            return Json.PRETTY.writeValueAsString(toJson());
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

    @Override
    public String toString() {
        return family + " " + architecture + " layers " + numLayers + " hidden " + hiddenSize
                + (layers == null ? "" : " " + Arrays.toString(layers));
    }
}
