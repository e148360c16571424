package dev.personascope.model.family.olmo2;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;

/**
 * OLMo-2: no norm before attention or MLP; each sublayer's output is normalised before the residual add
 * (post_attention_layernorm, post_feedforward_layernorm), and q/k are RMS-normalised over the whole
 * projection before the head split.
 */
public final class Olmo2Family extends LlamaLayoutFamily {
    public Olmo2Family() {
        super("olmo2", "Olmo2ForCausalLM", "olmo2");
    }

    @Override
    protected BlockNorms norms() {
        return new BlockNorms(null, "post_attention_layernorm", null, "post_feedforward_layernorm");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, HfDecoderConfig.class, where, 10000.0, (f, c) -> c.qkNorm = ModelConfig.QkNorm.FULL);
    }
}
