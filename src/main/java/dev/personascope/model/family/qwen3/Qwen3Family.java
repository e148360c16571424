package dev.personascope.model.family.qwen3;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;

/** Qwen3 (dense): Llama's block with per-head RMSNorm of queries and keys before RoPE. */
public final class Qwen3Family extends LlamaLayoutFamily {
    public Qwen3Family() {
        super("qwen3", "Qwen3ForCausalLM", "qwen3");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, HfDecoderConfig.class, where, 10000.0, (f, c) -> {
            c.qkNorm = ModelConfig.QkNorm.PER_HEAD;
            setWindows(c, f, f.qwenSlidingLayers(c.numLayers), where);
        });
    }
}
