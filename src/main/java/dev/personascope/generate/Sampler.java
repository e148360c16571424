package dev.personascope.generate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: {@link #process} applies the logit bias and the
 * presence and frequency penalties (over the tokens this sampler picked so far), {@link #sample} draws
 * with temperature and top_p, {@link #accept} counts the token picked.
 */
public final class Sampler {
    private final double temperature;
    private final double topP;
    private final double presencePenalty;
    private final double frequencyPenalty;
    private final Map<Integer, Double> logitBias;
    private final Map<Integer, Integer> counts = new HashMap<>();
    private final SplittableRandom random;

    public Sampler(SamplingParams p, long seed) {
        this.temperature = p.temperature();
        this.topP = p.topP();
        this.presencePenalty = p.presencePenalty();
        this.frequencyPenalty = p.frequencyPenalty();
        this.logitBias = p.logitBias();
        this.random = new SplittableRandom(seed);
    }

    /** process, sample and accept in one. */
    public int next(float[] logits) {
        int id = sample(process(logits));
        accept(id);
        return id;
    }

    /**
     * The logits with OpenAI's adjustments: {@code + bias[j] - presence * (count[j] > 0) - frequency * count[j]};
     * the same array when nothing applies, else a copy. Bias on ids beyond the row is ignored.
     */
    public float[] process(float[] logits) {
        boolean penalties = (presencePenalty != 0 || frequencyPenalty != 0) && !counts.isEmpty();
        if (!penalties && logitBias.isEmpty()) {
            return logits;
        }
        float[] out = logits.clone();
        for (Map.Entry<Integer, Double> e : logitBias.entrySet()) {
            if (e.getKey() < out.length) {
                out[e.getKey()] = (float) (out[e.getKey()] + e.getValue());
            }
        }
        if (penalties) {
            for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                if (e.getKey() < out.length) {
                    out[e.getKey()] = (float) (out[e.getKey()] - presencePenalty - frequencyPenalty * e.getValue());
                }
            }
        }
        return out;
    }

    /** Records a picked token for the penalties. */
    public void accept(int id) {
        counts.merge(id, 1, Integer::sum);
    }

    /** Draws a token from (already processed) logits: greedy at temperature 0, else softmax(l / T) within top_p. */
    public int sample(float[] logits) {
        if (temperature == 0) {
            return argmax(logits);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        if (topP >= 1) {
            double u = random.nextDouble() * sum;
            double c = 0;
            for (int i = 0; i < p.length; i++) {
                c += p[i];
                if (c > u) {
                    return i;
                }
            }
            return argmax(logits);
        }
        // nucleus: the most probable tokens until their mass reaches top_p, renormalised
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double kept = 0;
        int n = 0;
        while (n < order.length && kept < topP * sum) {
            kept += p[order[n++]];
        }
        double u = random.nextDouble() * kept;
        double c = 0;
        for (int i = 0; i < n; i++) {
            c += p[order[i]];
            if (c > u) {
                return order[i];
            }
        }
        return order[0];
    }

    /** The first index of the largest logit (as llama2.c's argmax). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** log softmax of a row, in double. */
    public static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - lse;
        }
        return out;
    }

    /** Indices of the k largest values, largest first. */
    public static int[] topK(double[] values, int k) {
        k = Math.min(k, values.length);
        int[] best = new int[k];
        Arrays.fill(best, -1);
        for (int i = 0; i < values.length; i++) {
            int pos = k;
            while (pos > 0 && (best[pos - 1] < 0 || values[i] > values[best[pos - 1]])) {
                pos--;
            }
            if (pos < k) {
                System.arraycopy(best, pos, best, pos + 1, k - pos - 1);
                best[pos] = i;
            }
        }
        return best;
    }
}
