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
        FREQUENCY,
        /**
         * The paired difference on each token (both models read the same texts) over its spread: Cohen's d_z,
         * mean(z_tuned − z_base) / (σ(z_tuned − z_base) + floor). A shift of the model's state on every token outranks
         * a large change on a few tokens.
         */
        PAIRED,
        /**
         * The cosine between the latent's decoder direction and the mean shift of the activations (tuned − base on
         * the same tokens): the latent that best names the direction the fine-tune moved the residual stream in
         * (the mean-difference "persona vector" read through the SAE's dictionary).
         */
        SHIFT;

        public static Ranking parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ranking '" + s + "' is not one of mean, normalized, frequency, paired, shift");
            }
        }
    }

    /** One latent's numbers on both models. */
    public record Row(int latent, double baseMean, double tunedMean, double baseStd, double baseFrequency,
                      double tunedFrequency, double spreadFloor, double differenceStd, double differenceFloor,
                      double shiftCosine) {
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

        /** The mean paired difference over its spread (Cohen's d_z). */
        public double paired() {
            return increase() / (differenceStd + differenceFloor);
        }

        public double score(Ranking r) {
            return switch (r) {
                case MEAN -> increase();
                case NORMALIZED -> normalized();
                case FREQUENCY -> frequencyChange();
                case PAIRED -> paired();
                case SHIFT -> shiftCosine;
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
            out.put(s, compare(sae, a, b, hook, s));
        }
        return out;
    }

    /** One scope's rows: both models' latents on the scope's tokens of each text, paired token by token. */
    private static List<Row> compare(Sae sae, List<TokenActivations.Document> base, List<TokenActivations.Document> tuned,
                                     String hook, TokenScope scope) {
        int dSae = sae.config().dSae;
        LatentStats baseStats = new LatentStats(dSae);
        LatentStats tunedStats = new LatentStats(dSae);
        LatentStats differences = new LatentStats(dSae); // of z_tuned − z_base, token by token
        float[] shift = new float[sae.config().dIn];
        long tokens = 0;
        for (int i = 0; i < base.size(); i++) {
            float[][] xa = base.get(i).selected(hook, scope);
            float[][] xb = tuned.get(i).selected(hook, scope);
            float[][] za = SaeLatents.encode(sae, xa);
            float[][] zb = SaeLatents.encode(sae, xb);
            baseStats.add(za);
            tunedStats.add(zb);
            differences.add(difference(zb, za));
            for (int t = 0; t < xa.length; t++) {
                for (int j = 0; j < shift.length; j++) {
                    shift[j] += xb[t][j] - xa[t][j];
                }
            }
            tokens += xa.length;
        }
        // the mean shift's direction: its length does not change a cosine, so the sum serves
        double[] cosines = tokens == 0 ? new double[dSae] : SaeLatents.decoderCosines(sae, shift);
        return compare(baseStats, tunedStats, differences, cosines);
    }

    /**
     * Pairs up the two models' statistics. The spread floors (a tenth of the median non-zero spread
     * over latents, of the base activations and of the differences) keep latents that never fire on the base model, or
     * never change, from dividing by zero.
     */
    public static List<Row> compare(LatentStats base, LatentStats tuned, LatentStats differences,
                                    double[] shiftCosines) {
        if (base.size() != tuned.size() || base.size() != differences.size() || base.size() != shiftCosines.length) {
            throw new IllegalArgumentException("statistics of " + base.size() + ", " + tuned.size() + " and "
                    + differences.size() + " latents");
        }
        double floor = 0.1 * medianNonZero(base.size(), base::std);
        double differenceFloor = 0.1 * medianNonZero(differences.size(), differences::std);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            rows.add(new Row(i, base.mean(i), tuned.mean(i), base.std(i), base.frequency(i), tuned.frequency(i), floor,
                    differences.std(i), differenceFloor, shiftCosines[i]));
        }
        return rows;
    }

    /** a − b, row by row (the same tokens under two models). */
    static float[][] difference(float[][] a, float[][] b) {
        float[][] d = new float[a.length][];
        for (int t = 0; t < a.length; t++) {
            d[t] = new float[a[t].length];
            for (int i = 0; i < d[t].length; i++) {
                d[t][i] = a[t][i] - b[t][i];
            }
        }
        return d;
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

    private static double medianNonZero(int size, java.util.function.IntToDoubleFunction std) {
        double[] v = new double[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (std.applyAsDouble(i) > 0) {
                v[n++] = std.applyAsDouble(i);
            }
        }
        if (n == 0) {
            return 1e-6;
        }
        java.util.Arrays.sort(v, 0, n);
        return v[n / 2];
    }
}
