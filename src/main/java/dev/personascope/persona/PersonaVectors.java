package dev.personascope.persona;

import dev.personascope.model.hooks.Directions;

import dev.personascope.data.ChatEncoder;
import dev.personascope.data.ChatExample;
import dev.personascope.model.LanguageModel;
import dev.personascope.model.hooks.HookPoint;
import dev.personascope.model.hooks.TokenScope;

import java.util.ArrayList;
import java.util.List;

/**
 * Persona vectors (Chen et al. 2025, "Persona vectors"): the difference between the mean residual
 * activation over the answers of two sets of conversations (misaligned against aligned answers, or
 * answers under two persona system prompts), at every layer; the layer whose vector separates the
 * two sets best is chosen.
 */
public final class PersonaVectors {
    /** The vector at one hook, and how well projecting onto it separates the two sets (Cohen's d). */
    public record Layer(String hook, Direction direction, double separation, double auroc) {
    }

    private PersonaVectors() {
    }

    /** One candidate per layer's resid_post, best separation first in {@link #best}. */
    public static List<Layer> compute(LanguageModel lm, List<ChatExample> positive, List<ChatExample> negative, String name) {
        if (positive.isEmpty() || negative.isEmpty()) {
            throw new IllegalArgumentException("persona vectors need texts in both sets (got " + positive.size() + " and "
                    + negative.size() + ")");
        }
        List<String> hooks = new ArrayList<>();
        for (int l = 0; l < lm.config().numLayers; l++) {
            hooks.add(HookPoint.residPost(l));
        }
        int max = lm.config().maxPositions;
        List<TokenActivations.Document> pos = TokenActivations.run(lm, new ChatEncoder(lm, max).encodeAll(positive), hooks);
        List<TokenActivations.Document> neg = TokenActivations.run(lm, new ChatEncoder(lm, max).encodeAll(negative), hooks);
        List<Layer> out = new ArrayList<>();
        for (String hook : hooks) {
            List<float[]> p = means(pos, hook);
            List<float[]> n = means(neg, hook);
            float[] diff = mean(p);
            float[] mn = mean(n);
            for (int i = 0; i < diff.length; i++) {
                diff[i] -= mn[i];
            }
            Direction d = new Direction(name + "@" + hook, hook, diff);
            float[] unit = d.unit();
            double[] pp = project(p, unit);
            double[] nn = project(n, unit);
            out.add(new Layer(hook, d, cohensD(pp, nn), Auroc.of(pp, nn)));
        }
        return out;
    }

    public static Layer best(List<Layer> layers) {
        return layers.stream().max(java.util.Comparator.comparingDouble(Layer::separation)).orElseThrow();
    }

    /** Each conversation's mean activation over its answer tokens (or all tokens when it has no answer). */
    private static List<float[]> means(List<TokenActivations.Document> docs, String hook) {
        List<float[]> out = new ArrayList<>();
        for (TokenActivations.Document d : docs) {
            float[] m = d.mean(hook, TokenScope.RESPONSE);
            out.add(m != null ? m : d.mean(hook, TokenScope.ALL));
        }
        return out;
    }

    private static float[] mean(List<float[]> vs) {
        float[] m = new float[vs.get(0).length];
        for (float[] v : vs) {
            for (int i = 0; i < m.length; i++) {
                m[i] += v[i] / vs.size();
            }
        }
        return m;
    }

    static double[] project(List<float[]> vs, float[] unit) {
        double[] out = new double[vs.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = Directions.dot(vs.get(j), unit);
        }
        return out;
    }

    /** (mean_p − mean_n) / pooled standard deviation. */
    static double cohensD(double[] p, double[] n) {
        double mp = java.util.Arrays.stream(p).average().orElse(0);
        double mn = java.util.Arrays.stream(n).average().orElse(0);
        double vp = java.util.Arrays.stream(p).map(x -> (x - mp) * (x - mp)).sum();
        double vn = java.util.Arrays.stream(n).map(x -> (x - mn) * (x - mn)).sum();
        double pooled = Math.sqrt((vp + vn) / Math.max(1, p.length + n.length - 2));
        return pooled == 0 ? 0 : (mp - mn) / pooled;
    }
}
