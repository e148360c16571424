package dev.personascope.model.family.gemma;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.personascope.model.ModelConfig;
import dev.personascope.model.family.HfDecoderConfig;
import dev.personascope.model.family.LlamaLayoutFamily;

/** Gemma (1): RMSNorm with gain (1 + w), embeddings × √hidden, GeGLU (tanh GELU), tied output embedding. */
public final class GemmaFamily extends LlamaLayoutFamily {
    /** Gemma's own fields. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Config extends HfDecoderConfig {
        @JsonProperty("hidden_activation") public String hiddenActivation;
    }

    public GemmaFamily() {
        super("gemma", "GemmaForCausalLM", "gemma");
    }

    @Override
    public ModelConfig readConfig(ObjectNode root, String where) {
        return read(root, Config.class, where, 10000.0, (f, c) -> gemmaBasics(c));
    }

    /** What every Gemma generation shares. */
    public static void gemmaBasics(ModelConfig c) {
        c.norm = ModelConfig.NormKind.RMS_PLUS_ONE;
        c.scaleEmbeddings = true;
        c.tieWordEmbeddings = true;
    }

    @Override
    protected void adjustActivation(HfDecoderConfig bound, ModelConfig c, String where) {
        String act = ((Config) bound).hiddenActivation;
        if (act != null) {
            c.activation = HfDecoderConfig.activation(act, "hidden_activation", where);
        }
    }
}
