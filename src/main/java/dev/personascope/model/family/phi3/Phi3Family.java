package dev.personascope.model.family.phi3;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;

/**
 * Phi-3 / Phi-3.5 / Phi-4-mini: fused {@code qkv_proj} (rows q | k | v) and {@code gate_up_proj} (rows
 * gate | up), partial rotary embedding, sliding window on every layer when set. LongRoPE
 * ({@code rope_scaling.type: longrope}) is refused when the config is read.
 */
public final class Phi3Family extends LlamaLayoutFamily {
    public Phi3Family() {
        super("phi3", "Phi3ForCausalLM", "phi3");
    }

    @Override
    protected boolean fused() {
        return true;
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, HfDecoderConfig.class, where, 10000.0, (f, c) -> {
            c.qkvBias = false;
            c.oBias = false;
            c.mlpBias = false;
            setWindows(c, f, f.allSlidingLayers(c.numLayers), where);
        });
    }
}
