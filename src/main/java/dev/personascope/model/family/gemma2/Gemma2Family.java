package dev.personascope.model.family.gemma2;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;
import dev.personascope.model.family.gemma.GemmaFamily;

/**
 * Gemma 2: Gemma's block with norms before and after both attention and MLP, attention scaled by
 * query_pre_attn_scalar^−½, attention and final logits soft-capped (c·tanh(x/c)), and a sliding
 * window on every other layer (even layers) unless layer_types says otherwise.
 */
public final class Gemma2Family extends LlamaLayoutFamily {
    /** Gemma 2's own fields. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Config extends GemmaFamily.Config {
        @JsonProperty("query_pre_attn_scalar") public Double queryPreAttnScalar;
        @JsonProperty("attn_logit_softcapping") public Double attnLogitSoftcapping;
        @JsonProperty("final_logit_softcapping") public Double finalLogitSoftcapping;
    }

    /** Norms before and after attention and MLP, as Gemma 2 and 3 name them. */
    public static final BlockNorms SANDWICH = new BlockNorms("input_layernorm", "post_attention_layernorm",
            "pre_feedforward_layernorm", "post_feedforward_layernorm");

    public Gemma2Family() {
        super("gemma2", "Gemma2ForCausalLM", "gemma2");
    }

    @Override
    protected BlockNorms norms() {
        return SANDWICH;
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, Config.class, where, 10000.0, (f, c) -> {
            GemmaFamily.gemmaBasics(c);
            softcapsAndScale(f, c);
            boolean[] sliding = new boolean[c.numLayers];
            for (int i = 0; i < sliding.length; i++) {
                sliding[i] = i % 2 == 0;
            }
            setWindows(c, f, sliding, where);
        });
    }

    /** Attention scale and soft-caps as Gemma 2 and 3 read them (a null cap is off). */
    public static void softcapsAndScale(Config f, ModelConfig c) {
        c.attentionScale = f.queryPreAttnScalar != null ? 1.0 / Math.sqrt(f.queryPreAttnScalar) : 0;
        c.attentionSoftcap = f.attnLogitSoftcapping != null ? f.attnLogitSoftcapping : 0;
        c.finalSoftcap = f.finalLogitSoftcapping != null ? f.finalLogitSoftcapping : 0;
    }

    @Override
    protected void adjustActivation(HfDecoderConfig bound, ModelConfig c, String where) {
        String act = ((Config) bound).hiddenActivation;
        c.activation = HfDecoderConfig.activation(act != null ? act : "gelu_pytorch_tanh", "hidden_activation", where);
    }
}
