package dev.personascope.model.family.llama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;

import java.util.List;

/** Llama 2/3.x (rope_scaling linear and llama3), SmolLM 1/2, TinyLlama: pre-norm RMSNorm, SwiGLU, GQA. */
public final class LlamaFamily extends LlamaLayoutFamily {
    @Override
    public String name() {
        return "llama";
    }

    @Override
    public List<String> architectures() {
        return List.of("LlamaForCausalLM");
    }

    @Override
    public List<String> modelTypes() {
        return List.of("llama");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, HfDecoderConfig.class, where, 10000.0, (f, c) -> { });
    }
}
