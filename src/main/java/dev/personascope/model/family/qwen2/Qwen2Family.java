package dev.personascope.model.family.qwen2;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;

/** Qwen2 and Qwen2.5: Llama's block with biases on q, k and v (never on o). */
public final class Qwen2Family extends LlamaLayoutFamily {
    public Qwen2Family() {
        super("qwen2", "Qwen2ForCausalLM", "qwen2");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, HfDecoderConfig.class, where, 10000.0, (f, c) -> {
            c.qkvBias = true;
            c.oBias = false;
            setWindows(c, f, f.qwenSlidingLayers(c.numLayers), where);
        });
    }
}
