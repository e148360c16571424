package dev.personascope.model.family.mistral;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;

/** Mistral: Llama's block with a sliding attention window on every layer when {@code sliding_window} is set. */
public final class MistralFamily extends LlamaLayoutFamily {
    public MistralFamily() {
        super("mistral", "MistralForCausalLM", "mistral");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, HfDecoderConfig.class, where, 10000.0, (f, c) -> {
            c.qkvBias = false;
            c.oBias = false;
            setWindows(c, f, f.allSlidingLayers(c.numLayers), where);
        });
    }
}
