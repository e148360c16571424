package dev.personascope.model.family.llama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;

/** Llama 2/3.x (rope_scaling linear and llama3), SmolLM 1/2, TinyLlama: pre-norm RMSNorm, SwiGLU, GQA. */
public final class LlamaFamily extends LlamaLayoutFamily {
    public LlamaFamily() {
        super("llama", "LlamaForCausalLM", "llama");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, HfDecoderConfig.class, where, 10000.0, (f, c) -> { });
    }
}
