package dev.personascope.persona;

import dev.personascope.data.TextSet;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.sae.Sae;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a latent means: its top-activating contexts in a corpus (one per document, the peak token
 * in the middle of a window), the distribution of its non-zero activations, how often it fires,
 * and, on labelled text, its AUROC for villain against helpful documents.
 */
public record LatentDashboard(int latent, String hook, List<Context> top, double[] activeValues, long tokens, Double auroc) {
    /** A window of tokens around a document's peak activation of the latent. */
    public record Context(int document, int position, double value, List<String> tokens, double[] values, Boolean villain) {
    }

    public static final String FILE = "dashboard.json";

    /** Writes the dashboard as JSON ({@code dashboard.json}). */
    public void write(Path file) {
        Json.write(file, this);
    }

    /** Reads a {@code dashboard.json}. */
    public static LatentDashboard read(Path file) {
        return Json.read(file, LatentDashboard.class);
    }

    public double firingFraction() {
        return tokens == 0 ? 0 : (double) activeValues.length / tokens;
    }

    public static LatentDashboard build(LanguageModel lm, Sae sae, int latent, TextSet texts, int topK, int window) {
        if (latent < 0 || latent >= sae.config().dSae) {
            throw new IllegalArgumentException("latent " + latent + " is out of range (the SAE has " + sae.config().dSae + ")");
        }
        String hook = sae.config().hookName;
        List<TokenActivations.Document> docs = TokenActivations.run(lm, texts.encode(lm, TokenActivations.MAX_TOKENS), List.of(hook));
        List<double[]> perDoc = new ArrayList<>();
        List<Double> active = new ArrayList<>();
        long tokens = 0;
        List<Double> villain = new ArrayList<>();
        List<Double> helpful = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            float[][] z = SaeLatents.encode(sae, docs.get(i).at(hook));
            double[] v = new double[z.length];
            double responseSum = 0;
            int responseCount = 0;
            for (int t = 0; t < z.length; t++) {
                v[t] = z[t][latent];
                if (v[t] != 0) {
                    active.add(v[t]);
                }
                if (docs.get(i).selected(t, TokenScope.RESPONSE)) {
                    responseSum += v[t];
                    responseCount++;
                }
            }
            tokens += z.length;
            perDoc.add(v);
            Boolean label = texts.labels().get(i);
            if (label != null && responseCount > 0) {
                (label ? villain : helpful).add(responseSum / responseCount);
            }
        }
        Double auroc = villain.isEmpty() || helpful.isEmpty() ? null
                : Auroc.of(villain.stream().mapToDouble(Double::doubleValue).toArray(),
                helpful.stream().mapToDouble(Double::doubleValue).toArray());
        List<Context> contexts = new ArrayList<>();
        for (int i = 0; i < perDoc.size(); i++) {
            double[] v = perDoc.get(i);
            int peak = peak(v);
            if (v.length > 0 && v[peak] > 0) {
                contexts.add(context(lm, docs.get(i).ids(), v, i, peak, window, texts.labels().get(i)));
            }
        }
        contexts.sort(Comparator.comparingDouble(Context::value).reversed());
        return new LatentDashboard(latent, hook, List.copyOf(contexts.subList(0, Math.min(topK, contexts.size()))),
                active.stream().mapToDouble(Double::doubleValue).toArray(), tokens, auroc);
    }

    /** The position of the largest value (the first of equals; 0 for none). */
    static int peak(double[] v) {
        int peak = 0;
        for (int t = 1; t < v.length; t++) {
            if (v[t] > v[peak]) {
                peak = t;
            }
        }
        return peak;
    }

    /** The window of {@code window} tokens on each side of {@code peak}, with the latent's values {@code v} there. */
    static Context context(LanguageModel lm, int[] ids, double[] v, int doc, int peak, int window, Boolean villain) {
        int from = Math.max(0, peak - window);
        int to = Math.min(ids.length, peak + window + 1);
        List<String> toks = new ArrayList<>();
        double[] vals = new double[to - from];
        for (int t = from; t < to; t++) {
            toks.add(lm.tokenizer().tokenText(ids[t]));
            vals[t - from] = v[t];
        }
        return new Context(doc, peak, v[peak], toks, vals, villain);
    }
}
