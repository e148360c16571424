package dev.personascope.persona;

import dev.personascope.data.ChatEncoder;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.TokenScope;
import dev.personascope.sae.Sae;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SAE model diffing (Wang et al. 2025, "Persona features control emergent misalignment"): the same
 * texts go through a base and a fine-tuned model, both models' activations are encoded with the
 * base model's SAE, and latents are ranked by how much more (or less) the fine-tuned model uses them.
 * {@link #run} does it for several token scopes at once, with one forward pass per model over the texts.
 */
public final class ModelDiff {
    /** How latents are ordered. */
    public enum Ranking {
        /** Raw mean activation increase: tuned mean − base mean. */
        MEAN,
        /** Increase in units of the latent's spread on the base model: (tuned − base) / (σ_base + floor). */
        NORMALIZED,
        /** Change of firing frequency (fraction of tokens where the latent is non-zero). */
        FREQUENCY;

        public static Ranking parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ranking '" + s + "' is not one of mean, normalized, frequency");
            }
        }
    }

    /** One latent's numbers on both models. */
    public record Row(int latent, double baseMean, double tunedMean, double baseStd, double baseFrequency,
                      double tunedFrequency, double spreadFloor) {
        public double increase() {
            return tunedMean - baseMean;
        }

        /** The increase as an effect size against the base model's spread of this latent. */
        public double normalized() {
            return increase() / (baseStd + spreadFloor);
        }

        public double frequencyChange() {
            return tunedFrequency - baseFrequency;
        }

        public double score(Ranking r) {
            return switch (r) {
                case MEAN -> increase();
                case NORMALIZED -> normalized();
                case FREQUENCY -> frequencyChange();
            };
        }
    }

    private ModelDiff() {
    }

    /** Both models' latent statistics on the texts, paired up per token scope (one forward pass per model). */
    public static Map<TokenScope, List<Row>> run(LanguageModel base, LanguageModel tuned, Sae sae,
                                                 List<ChatEncoder.Encoded> docs, List<TokenScope> scopes) {
        String hook = sae.config().hookName;
        if (base.config().hiddenSize != sae.config().dIn || tuned.config().hiddenSize != sae.config().dIn) {
            throw new IllegalArgumentException("the SAE reads " + sae.config().dIn + "-wide activations; the models are "
                    + base.config().hiddenSize + " and " + tuned.config().hiddenSize + " wide");
        }
        List<TokenActivations.Document> a = TokenActivations.run(base, docs, List.of(hook));
        List<TokenActivations.Document> b = TokenActivations.run(tuned, docs, List.of(hook));
        Map<TokenScope, List<Row>> out = new LinkedHashMap<>();
        for (TokenScope s : scopes) {
            out.put(s, compare(LatentStats.of(sae, a, hook, s), LatentStats.of(sae, b, hook, s)));
        }
        return out;
    }

    /**
     * Pairs up the two models' statistics. The spread floor (a tenth of the median non-zero spread
     * over latents) keeps latents that never fire on the base model from dividing by zero.
     */
    public static List<Row> compare(LatentStats base, LatentStats tuned) {
        if (base.size() != tuned.size()) {
            throw new IllegalArgumentException("statistics of " + base.size() + " and " + tuned.size() + " latents");
        }
        double floor = 0.1 * medianNonZeroStd(base);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            rows.add(new Row(i, base.mean(i), tuned.mean(i), base.std(i), base.frequency(i), tuned.frequency(i), floor));
        }
        return rows;
    }

    /** Rows ordered by a ranking, largest increase first ({@code increase}) or largest decrease first. */
    public static List<Row> rank(List<Row> rows, Ranking ranking, boolean increase) {
        Comparator<Row> by = Comparator.comparingDouble(r -> r.score(ranking));
        return rows.stream().sorted(increase ? by.reversed() : by).toList();
    }

    /** 1-based rank of a latent under a ranking (increase). */
    public static int rankOf(List<Row> rows, Ranking ranking, int latent) {
        List<Row> sorted = rank(rows, ranking, true);
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).latent() == latent) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no latent " + latent);
    }

    private static double medianNonZeroStd(LatentStats s) {
        double[] v = new double[s.size()];
        int n = 0;
        for (int i = 0; i < s.size(); i++) {
            if (s.std(i) > 0) {
                v[n++] = s.std(i);
            }
        }
        if (n == 0) {
            return 1e-6;
        }
        java.util.Arrays.sort(v, 0, n);
        return v[n / 2];
    }
}
