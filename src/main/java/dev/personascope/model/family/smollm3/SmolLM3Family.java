package dev.personascope.model.family.smollm3;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;
import dev.personascope.model.io.TensorFormatException;

import java.util.List;

/** SmolLM3: Llama's block where some layers use no rotary embedding at all (NoPE), per {@code no_rope_layers}. */
public final class SmolLM3Family extends LlamaLayoutFamily {
    /** SmolLM3's own fields. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Config extends HfDecoderConfig {
        /** 1 = the layer uses RoPE, 0 = NoPE. */
        @JsonProperty("no_rope_layers") public List<Integer> noRopeLayers;
        @JsonProperty("no_rope_layer_interval") public Integer noRopeLayerInterval;
    }

    public SmolLM3Family() {
        super("smollm3", "SmolLM3ForCausalLM", "smollm3");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, Config.class, where, 2000000.0, (f, c) -> {
            setWindows(c, f, f.qwenSlidingLayers(c.numLayers), where);
            List<Integer> rope = f.noRopeLayers;
            if (rope == null) {
                int interval = f.noRopeLayerInterval != null ? f.noRopeLayerInterval : 4;
                rope = new java.util.ArrayList<>();
                for (int i = 0; i < c.numLayers; i++) {
                    rope.add((i + 1) % interval != 0 ? 1 : 0);
                }
            }
            if (rope.size() != c.numLayers) {
                throw new TensorFormatException(where + ": field 'no_rope_layers' has " + rope.size() + " entries for "
                        + c.numLayers + " layers");
            }
            for (int i = 0; i < c.numLayers; i++) {
                if (rope.get(i) == 0) {
                    c.layers[i] = new ModelConfig.LayerSpec(c.layers[i].slidingWindow(), null);
                }
            }
        });
    }
}
