package dev.personascope.persona;

import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.sae.Sae;
import dev.personascope.data.ChatEncoder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs {@link ModelDiff} for several token scopes at once: one forward pass per model over the texts. */
public final class Diffing {
    private Diffing() {
    }

    public static Map<TokenScope, List<ModelDiff.Row>> run(LanguageModel base, LanguageModel tuned, Sae sae,
                                                          List<ChatEncoder.Encoded> docs, List<TokenScope> scopes) {
        String hook = sae.config().hookName;
        if (base.config().hiddenSize != sae.config().dIn || tuned.config().hiddenSize != sae.config().dIn) {
            throw new IllegalArgumentException("the SAE reads " + sae.config().dIn + "-wide activations; the models are "
                    + base.config().hiddenSize + " and " + tuned.config().hiddenSize + " wide");
        }
        List<TokenActivations.Document> a = TokenActivations.run(base, docs, List.of(hook));
        List<TokenActivations.Document> b = TokenActivations.run(tuned, docs, List.of(hook));
        Map<TokenScope, List<ModelDiff.Row>> out = new LinkedHashMap<>();
        for (TokenScope s : scopes) {
            out.put(s, ModelDiff.compare(LatentStats.of(sae, a, hook, s), LatentStats.of(sae, b, hook, s)));
        }
        return out;
    }
}
