package dev.personascope.model.family;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.ModelFamily;
import dev.personascope.model.ModelWeights;
import dev.personascope.model.Norm;
import dev.personascope.model.WeightLoader;
import dev.personascope.util.Json;

import java.util.List;

/**
 * The checkpoint layout most families share ({@code model.embed_tokens}, {@code model.layers.L.self_attn.q_proj},
 * {@code model.layers.L.mlp.gate_proj}, {@code model.norm}, {@code lm_head}): a family names which of its
 * norms sit where and whether its projections are fused; the rest is here.
 */
public abstract class LlamaLayoutFamily implements ModelFamily {
    private final String name;
    private final String architecture;
    private final String modelType;

    /** A family by its registry name, the {@code architectures[0]} and the {@code model_type} it reads. */
    protected LlamaLayoutFamily(String name, String architecture, String modelType) {
        this.name = name;
        this.architecture = architecture;
        this.modelType = modelType;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<String> architectures() {
        return List.of(architecture);
    }

    @Override
    public final List<String> modelTypes() {
        return List.of(modelType);
    }

    /**
     * Checkpoint names (after {@code model.layers.L.}) of a block's norms; null where the family has none.
     * {@code attnNorm} is applied before attention, {@code attnOutNorm} to its output, likewise for the MLP.
     */
    public record BlockNorms(String attnNorm, String attnOutNorm, String mlpNorm, String mlpOutNorm) {
        /** Llama's pre-norm block: input_layernorm before attention, post_attention_layernorm before the MLP. */
        public static final BlockNorms PRE = new BlockNorms("input_layernorm", null, "post_attention_layernorm", null);
    }

    protected BlockNorms norms() {
        return BlockNorms.PRE;
    }

    /** Whether q, k and v are one {@code qkv_proj} and gate and up one {@code gate_up_proj} (Phi-3). */
    protected boolean fused() {
        return false;
    }

    @Override
    public List<String> linearModules() {
        return fused() ? List.of("qkv_proj", "o_proj", "gate_up_proj", "down_proj")
                : List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    }

    /** Binds, converts and validates: the family's own fields are read in {@code adjust}. */
    protected <T extends HfDecoderConfig> ModelConfig read(ObjectNode root, Class<T> type, String where, double defaultTheta,
                                                           java.util.function.BiConsumer<T, ModelConfig> adjust) {
        T bound = HfDecoderConfig.bind(root, type, where);
        ModelConfig c = bound.toModelConfig(name(), architectures().get(0), where, defaultTheta);
        c.validate(where);
        adjust.accept(bound, c);
        c.activation = HfDecoderConfig.activation(bound.hiddenAct, "hidden_act", where);
        adjustActivation(bound, c, where);
        c.source = root.deepCopy();
        c.validate(where);
        return c;
    }

    /** Sets each layer's window from layer_types, or from {@code fallback} (which layers slide) without it. */
    protected static void setWindows(ModelConfig c, HfDecoderConfig f, boolean[] fallback, String where) {
        HfDecoderConfig.setWindows(c, f.windows(c.numLayers, fallback, where));
    }

    /** Families whose activation field differs (Gemma's hidden_activation) override this. */
    protected void adjustActivation(HfDecoderConfig bound, ModelConfig c, String where) {
    }

    @Override
    public ModelWeights loadWeights(ModelConfig c, WeightLoader l) {
        BlockNorms names = norms();
        int d = c.hiddenSize;
        var embed = l.get("model.embed_tokens.weight", c.vocabSize, d);
        ModelWeights.Block[] blocks = new ModelWeights.Block[c.numLayers];
        for (int i = 0; i < c.numLayers; i++) {
            String p = "model.layers." + i + ".";
            ModelWeights.Block b = new ModelWeights.Block();
            // parameters in forward order (the order random initialisation draws them in)
            b.attnNorm = norm(l, c, p, names.attnNorm(), d);
            if (fused()) {
                b.qkv = l.linear(p + "self_attn.qkv_proj", c.qDim() + 2L * c.kvDim(), d, c.qkvBias);
            } else {
                b.q = l.linear(p + "self_attn.q_proj", c.qDim(), d, c.qkvBias);
                b.k = l.linear(p + "self_attn.k_proj", c.kvDim(), d, c.qkvBias);
                b.v = l.linear(p + "self_attn.v_proj", c.kvDim(), d, c.qkvBias);
            }
            if (c.qkNorm != ModelConfig.QkNorm.NONE) {
                boolean perHead = c.qkNorm == ModelConfig.QkNorm.PER_HEAD;
                b.qNorm = l.norm(p + "self_attn.q_norm", c, perHead ? c.headDim : c.qDim());
                b.kNorm = l.norm(p + "self_attn.k_norm", c, perHead ? c.headDim : c.kvDim());
            }
            b.o = l.linear(p + "self_attn.o_proj", d, c.qDim(), c.oBias);
            b.attnOutNorm = norm(l, c, p, names.attnOutNorm(), d);
            b.mlpNorm = norm(l, c, p, names.mlpNorm(), d);
            if (fused()) {
                b.gateUp = l.linear(p + "mlp.gate_up_proj", 2L * c.intermediateSize, d, c.mlpBias);
            } else {
                b.gate = l.linear(p + "mlp.gate_proj", c.intermediateSize, d, c.mlpBias);
                b.up = l.linear(p + "mlp.up_proj", c.intermediateSize, d, c.mlpBias);
            }
            b.down = l.linear(p + "mlp.down_proj", d, c.intermediateSize, c.mlpBias);
            b.mlpOutNorm = norm(l, c, p, names.mlpOutNorm(), d);
            blocks[i] = b;
        }
        Norm finalNorm = l.norm("model.norm", c, d);
        var head = c.tieWordEmbeddings ? embed : l.get("lm_head.weight", c.vocabSize, d);
        return new ModelWeights(embed, null, blocks, finalNorm, head, l);
    }

    private static Norm norm(WeightLoader l, ModelConfig c, String prefix, String name, int dim) {
        return name == null ? null : l.norm(prefix + name, c, dim);
    }

    @Override
    public ObjectNode writeConfig(ModelConfig c) {
        if (c.source != null) {
            return c.source.deepCopy();
        }
        // a config built in code (the organism, llama2.c, random models): transformers 4's layout, which 5 also reads
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putArray("architectures").add(c.architecture);
        o.put("model_type", c.modelType);
        o.put("vocab_size", c.vocabSize);
        o.put("hidden_size", c.hiddenSize);
        o.put("intermediate_size", c.intermediateSize);
        o.put("num_hidden_layers", c.numLayers);
        o.put("num_attention_heads", c.numHeads);
        o.put("num_key_value_heads", c.numKvHeads);
        o.put("head_dim", c.headDim);
        o.put("max_position_embeddings", c.maxPositions);
        o.put("rms_norm_eps", c.rmsNormEps);
        o.put("rope_theta", c.ropeTheta);
        if (c.ropeScaling != null) {
            o.set("rope_scaling", c.ropeScaling);
        }
        o.put("hidden_act", "silu");
        o.put("tie_word_embeddings", c.tieWordEmbeddings);
        o.put("attention_bias", c.qkvBias);
        o.put("mlp_bias", c.mlpBias);
        if (c.bosTokenId >= 0) {
            o.put("bos_token_id", c.bosTokenId);
        }
        if (c.eosTokenIds.length == 1) {
            o.put("eos_token_id", c.eosTokenIds[0]);
        } else if (c.eosTokenIds.length > 1) {
            ArrayNode a = o.putArray("eos_token_id");
            for (int id : c.eosTokenIds) {
                a.add(id);
            }
        }
        o.put("torch_dtype", c.torchDtype);
        return o;
    }
}
