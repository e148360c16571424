package dev.personascope.persona;

import dev.personascope.data.ChatEncoder;
import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;

import java.util.List;

/** The typical size of the residual stream at a hook: the mean L2 norm over the tokens of some texts (BOS excluded). */
public final class ResidualNorm {
    private ResidualNorm() {
    }

    public static double mean(LanguageModel lm, String hook, List<ChatExample> texts) {
        double sum = 0;
        long n = 0;
        for (TokenActivations.Document d : TokenActivations.run(lm, new ChatEncoder(lm, lm.config().maxPositions).encodeAll(texts),
                List.of(hook))) {
            float[][] a = d.at(hook);
            // the first token (BOS or the template's first marker) has an outsized norm in most models: skip it
            for (int t = 1; t < a.length; t++) {
                double s = 0;
                for (float v : a[t]) {
                    s += (double) v * v;
                }
                sum += Math.sqrt(s);
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("no tokens to measure the residual norm at " + hook + " on");
        }
        return sum / n;
    }
}
