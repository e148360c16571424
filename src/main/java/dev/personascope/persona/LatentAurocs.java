package dev.personascope.persona;

import dev.personascope.data.TextSet;
import dev.personascope.model.LanguageModel;
import dev.personascope.sae.Sae;

import java.util.ArrayList;
import java.util.List;

/**
 * Every latent's AUROC for villain against helpful text: each document is scored by the latent's
 * mean activation over its assistant tokens (where the persona speaks).
 */
public final class LatentAurocs {
    private LatentAurocs() {
    }

    public static double[] compute(LanguageModel lm, Sae sae, TextSet texts) {
        if (!texts.labelled()) {
            throw new IllegalArgumentException("AUROC needs texts labelled both villain and helpful");
        }
        String hook = sae.config().hookName;
        List<TokenActivations.Document> docs = TokenActivations.run(lm, texts.encode(lm, TokenActivations.MAX_TOKENS), List.of(hook));
        List<float[]> pos = new ArrayList<>();
        List<float[]> neg = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            Boolean v = texts.labels().get(i);
            if (v == null) {
                continue;
            }
            (v ? pos : neg).add(meanLatents(sae, docs.get(i), hook));
        }
        int dSae = sae.config().dSae;
        double[] out = new double[dSae];
        double[] p = new double[pos.size()];
        double[] n = new double[neg.size()];
        for (int l = 0; l < dSae; l++) {
            for (int i = 0; i < p.length; i++) {
                p[i] = pos.get(i)[l];
            }
            for (int i = 0; i < n.length; i++) {
                n[i] = neg.get(i)[l];
            }
            out[l] = Auroc.of(p, n);
        }
        return out;
    }

    /** A document's mean latent vector over its response tokens. */
    static float[] meanLatents(Sae sae, TokenActivations.Document d, String hook) {
        return ResponseLatents.of(sae, d, hook).mean();
    }
}
