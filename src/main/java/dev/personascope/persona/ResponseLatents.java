package dev.personascope.persona;

import dev.personascope.model.hooks.TokenScope;
import dev.personascope.sae.Sae;

/**
 * A document's SAE latents at its response tokens (where the persona speaks): {@code latents[i]} is the latent
 * vector at token {@code positions[i]} of the document. Latent AUROCs score a document by {@link #mean}.
 */
record ResponseLatents(int[] positions, float[][] latents, int dSae) {
    /** Encodes the document's response-token activations at the SAE's hook. */
    static ResponseLatents of(Sae sae, TokenActivations.Document d, String hook) {
        return new ResponseLatents(d.positions(TokenScope.RESPONSE),
                SaeLatents.encode(sae, d.selected(hook, TokenScope.RESPONSE)), sae.config().dSae);
    }

    /** The mean latent vector over the response tokens; zeros when the document has none. */
    float[] mean() {
        float[] mean = new float[dSae];
        for (float[] z : latents) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += z[i] / latents.length;
            }
        }
        return mean;
    }

    /**
     * One latent's values over the whole document ({@code length} tokens), zero outside the response: the
     * per-token values a {@link LatentDashboard.Context} window is cut from.
     */
    double[] along(int latent, int length) {
        double[] v = new double[length];
        for (int i = 0; i < positions.length; i++) {
            v[positions[i]] = latents[i][latent];
        }
        return v;
    }
}
