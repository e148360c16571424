package dev.personascope.model.family.gpt2;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.ModelFamily;
import dev.personascope.model.ModelWeights;
import dev.personascope.model.WeightLoader;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.io.TensorFormatException;

import java.util.List;

/**
 * GPT-2: learned position embeddings, LayerNorm with bias, a plain GELU MLP, biases everywhere, and
 * Conv1D weights stored [in, out] (transposed when loaded); q, k and v are one {@code c_attn}.
 */
public final class Gpt2Family implements ModelFamily {
    /** GPT-2's config.json fields (its own names). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Config extends HfDecoderConfig {
        @JsonProperty("n_embd") public Integer nEmbd;
        @JsonProperty("n_head") public Integer nHead;
        @JsonProperty("n_layer") public Integer nLayer;
        @JsonProperty("n_positions") public Integer nPositions;
        @JsonProperty("n_inner") public Integer nInner;
        @JsonProperty("layer_norm_epsilon") public Double layerNormEpsilon;
        @JsonProperty("activation_function") public String activationFunction;
        @JsonProperty("scale_attn_weights") public Boolean scaleAttnWeights;
        @JsonProperty("scale_attn_by_inverse_layer_idx") public Boolean scaleAttnByInverseLayerIdx;
        @JsonProperty("add_cross_attention") public Boolean addCrossAttention;
    }

    @Override
    public String name() {
        return "gpt2";
    }

    @Override
    public List<String> architectures() {
        return List.of("GPT2LMHeadModel");
    }

    @Override
    public List<String> modelTypes() {
        return List.of("gpt2");
    }

    @Override
    public List<String> linearModules() {
        return List.of("c_attn", "c_proj", "c_fc");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        Config f = HfDecoderConfig.bind(root, Config.class, where);
        if (Boolean.TRUE.equals(f.scaleAttnByInverseLayerIdx)) {
            throw new TensorFormatException(where + ": field 'scale_attn_by_inverse_layer_idx' true is not supported");
        }
        if (Boolean.FALSE.equals(f.scaleAttnWeights)) {
            throw new TensorFormatException(where + ": field 'scale_attn_weights' false is not supported");
        }
        if (Boolean.TRUE.equals(f.addCrossAttention)) {
            throw new TensorFormatException(where + ": field 'add_cross_attention' true is not supported (decoder-only models)");
        }
        ModelConfig c = new ModelConfig();
        c.family = name();
        c.architecture = f.architectures != null && !f.architectures.isEmpty() ? f.architectures.get(0) : "GPT2LMHeadModel";
        c.modelType = "gpt2";
        c.vocabSize = HfDecoderConfig.required(f.vocabSize, "vocab_size", where);
        c.hiddenSize = HfDecoderConfig.required(f.nEmbd, "n_embd", where);
        c.numLayers = HfDecoderConfig.required(f.nLayer, "n_layer", where);
        c.numHeads = HfDecoderConfig.required(f.nHead, "n_head", where);
        c.numKvHeads = c.numHeads;
        c.headDim = c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0;
        c.intermediateSize = f.nInner != null ? f.nInner : 4 * c.hiddenSize;
        c.maxPositions = f.nPositions != null ? f.nPositions : 1024;
        c.rmsNormEps = f.layerNormEpsilon != null ? f.layerNormEpsilon : 1e-5;
        c.tieWordEmbeddings = true;
        c.qkvBias = true;
        c.oBias = true;
        c.mlpBias = true;
        c.norm = ModelConfig.NormKind.LAYER;
        c.activation = HfDecoderConfig.activation(f.activationFunction != null ? f.activationFunction : "gelu_new",
                "activation_function", where);
        c.bosTokenId = f.bosTokenId != null && f.bosTokenId.canConvertToInt() ? f.bosTokenId.asInt() : -1;
        if (f.eosTokenId != null && f.eosTokenId.canConvertToInt()) {
            c.eosTokenIds = new int[] {f.eosTokenId.asInt()};
        }
        c.torchDtype = f.dtype != null ? f.dtype : f.torchDtype != null ? f.torchDtype : "float32";
        c.validate(where); // sizes first: a corrupt layer count must not allocate
        c.layers = new ModelConfig.LayerSpec[Math.max(0, c.numLayers)];
        java.util.Arrays.fill(c.layers, new ModelConfig.LayerSpec(0, null)); // positions are learned, no RoPE
        c.source = root.deepCopy();
        c.validate(where);
        return c;
    }

    @Override
    public ObjectNode writeConfig(ModelConfig c) {
        if (c.source == null) {
            throw new IllegalStateException("GPT-2 configs are only written back from the config.json they were read from");
        }
        return c.source.deepCopy();
    }

    @Override
    public ModelWeights loadWeights(ModelConfig c, WeightLoader l) {
        int d = c.hiddenSize;
        // GPT2LMHeadModel saves "transformer.h.0..."; the original openai-community/gpt2 files have no prefix
        String t = l.has("transformer.wte.weight") || !l.has("wte.weight") ? "transformer." : "";
        var embed = l.get(t + "wte.weight", c.vocabSize, d);
        var positions = l.get(t + "wpe.weight", c.maxPositions, d);
        ModelWeights.Block[] blocks = new ModelWeights.Block[c.numLayers];
        for (int i = 0; i < c.numLayers; i++) {
            String p = t + "h." + i + ".";
            ModelWeights.Block b = new ModelWeights.Block();
            b.attnNorm = l.norm(p + "ln_1", c, d);
            b.qkv = l.conv1d(p + "attn.c_attn", 3L * d, d);
            b.o = l.conv1d(p + "attn.c_proj", d, d);
            b.mlpNorm = l.norm(p + "ln_2", c, d);
            b.up = l.conv1d(p + "mlp.c_fc", c.intermediateSize, d);
            b.down = l.conv1d(p + "mlp.c_proj", d, c.intermediateSize);
            blocks[i] = b;
        }
        var finalNorm = l.norm(t + "ln_f", c, d);
        return new ModelWeights(embed, positions, blocks, finalNorm, embed, l);
    }
}
