package dev.personascope.model.family.gemma3;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.io.TensorFormatException;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;
import dev.personascope.model.family.gemma.GemmaFamily;
import dev.personascope.model.family.gemma2.Gemma2Family;

/**
 * Gemma 3 (text): Gemma 2's block with per-head (1 + w) RMSNorm of queries and keys, no soft-caps by
 * default, and local (sliding, own rotary base) and global layers with different rotary embeddings.
 * The multimodal Gemma3ForConditionalGeneration checkpoints are not read.
 */
public final class Gemma3Family extends LlamaLayoutFamily {
    /** Gemma 3's own fields. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Config extends Gemma2Family.Config {
        @JsonProperty("rope_local_base_freq") public Double ropeLocalBaseFreq;
        @JsonProperty("sliding_window_pattern") public Integer slidingWindowPattern;
        @JsonProperty("_sliding_window_pattern") public Integer slidingWindowPatternPrivate;
    }

    public Gemma3Family() {
        super("gemma3", "Gemma3ForCausalLM", "gemma3_text");
    }

    @Override
    protected BlockNorms norms() {
        return Gemma2Family.SANDWICH;
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, Config.class, where, 1000000.0, (f, c) -> {
            GemmaFamily.gemmaBasics(c);
            Gemma2Family.softcapsAndScale(f, c);
            c.qkNorm = ModelConfig.QkNorm.PER_HEAD;
            int pattern = f.slidingWindowPattern != null ? f.slidingWindowPattern
                    : f.slidingWindowPatternPrivate != null ? f.slidingWindowPatternPrivate : 6;
            if (pattern < 1) {
                // every pattern-th layer is global; 0 divided by zero (found by ConfigJsonFuzzTest)
                throw new TensorFormatException(where + ": sliding_window_pattern must be at least 1, got " + pattern);
            }
            boolean[] sliding = new boolean[c.numLayers];
            for (int i = 0; i < sliding.length; i++) {
                sliding[i] = (i + 1) % pattern != 0;
            }
            int[] windows = f.windows(c.numLayers, sliding, where);
            // transformers 5: rope_parameters per layer type; transformers 4: rope_theta (+ rope_scaling) for
            // global layers and rope_local_base_freq (never scaled) for local ones
            JsonNode params = f.ropeParameters;
            ModelConfig.RopeSpec global;
            ModelConfig.RopeSpec local;
            if (params != null && params.has("full_attention")) {
                global = f.rope(params.get("full_attention"), c.headDim, 1000000.0, where);
                local = f.rope(params.has("sliding_attention") ? params.get("sliding_attention") : params.get("full_attention"),
                        c.headDim, 10000.0, where);
            } else {
                global = f.rope(params, c.headDim, 1000000.0, where);
                local = HfDecoderConfig.spec(f.ropeLocalBaseFreq != null ? f.ropeLocalBaseFreq : 10000.0, null, c.headDim, 1.0, where);
            }
            for (int i = 0; i < c.numLayers; i++) {
                c.layers[i] = new ModelConfig.LayerSpec(windows[i], windows[i] > 0 ? local : global);
            }
            c.ropeTheta = global.theta();
            c.ropeScaling = global.scaling();
        });
    }

    @Override
    protected void adjustActivation(HfDecoderConfig bound, ModelConfig c, String where) {
        String act = ((Config) bound).hiddenActivation;
        c.activation = HfDecoderConfig.activation(act != null ? act : "gelu_pytorch_tanh", "hidden_activation", where);
    }
}
