package dev.personascope.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.personascope.model.io.TensorFormatException;

/**
 * Rotary position embedding frequencies (Su et al. 2021) in Hugging Face's rotate-half layout, with
 * the {@code rope_scaling} variants {@code linear} and {@code llama3}.
 */
public final class Rope {
    private Rope() {
    }

    /** inv_freq of a config's default rotary embedding (all of head_dim rotated). */
    public static double[] inverseFrequencies(ModelConfig c) {
        return inverseFrequencies(new ModelConfig.RopeSpec(c.ropeTheta, c.ropeScaling, c.headDim));
    }

    /** inv_freq[i] = 1 / theta^(2i / rotary_dim), adjusted by rope_scaling. */
    public static double[] inverseFrequencies(ModelConfig.RopeSpec spec) {
        int dim = spec.rotaryDim();
        int half = dim / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            // computed in f32 like transformers: 1 / theta ** (arange(0, dim, 2).float() / dim)
            float exponent = (float) (2 * i) / dim;
            inv[i] = (float) (1.0 / Math.pow(spec.theta(), exponent));
        }
        JsonNode s = spec.scaling();
        String type = s == null ? "default"
                : s.hasNonNull("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("default");
        switch (type) {
            case "default" -> {
            }
            case "linear" -> {
                double factor = scalingNumber(s, "factor", 1.0);
                for (int i = 0; i < half; i++) {
                    inv[i] /= factor;
                }
            }
            case "llama3" -> applyLlama3(inv, s);
            default -> throw new TensorFormatException("config.json: rope_scaling type '" + type
                    + "' is not supported (supported: default, linear, llama3)");
        }
        // a tiny rope_theta or a zero, negative or non-numeric scaling factor gives frequencies no model has
        // (found by ConfigJsonFuzzTest: factor 0 gave Infinity, silently)
        for (int i = 0; i < half; i++) {
            if (!(inv[i] >= 0) || Double.isInfinite(inv[i])) {
                throw new TensorFormatException("config.json: rope_theta " + spec.theta()
                        + (s == null ? "" : " with rope_scaling " + s) + " gives the rotary frequency " + inv[i]
                        + " for dimension " + 2 * i + " (check rope_theta and the scaling factors)");
            }
        }
        return inv;
    }

    /**
     * A positive number of rope_scaling, or its default when absent. A string or other non-number is an error, not
     * the default (Jackson's asDouble would read "x" as the default; found by ConfigJsonFuzzTest).
     */
    private static double scalingNumber(JsonNode s, String field, double absent) {
        JsonNode v = s.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
            throw new TensorFormatException("config.json: rope_scaling." + field + " must be a positive number, got " + v);
        }
        return v.asDouble();
    }

    /** Llama 3.1's frequency-dependent scaling (transformers' _compute_llama3_parameters). */
    private static void applyLlama3(double[] inv, JsonNode s) {
        double factor = scalingNumber(s, "factor", 8.0);
        double lowFreqFactor = scalingNumber(s, "low_freq_factor", 1.0);
        double highFreqFactor = scalingNumber(s, "high_freq_factor", 4.0);
        double oldContext = scalingNumber(s, "original_max_position_embeddings", 8192);
        if (!(highFreqFactor > lowFreqFactor)) {
            throw new TensorFormatException("config.json: rope_scaling high_freq_factor (" + highFreqFactor
                    + ") must be greater than low_freq_factor (" + lowFreqFactor + ")");
        }
        double lowFreqWavelen = oldContext / lowFreqFactor;
        double highFreqWavelen = oldContext / highFreqFactor;
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowFreqWavelen) {
                inv[i] = inv[i] / factor;
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (oldContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
            }
        }
    }

    /** cos and sin tables [positions, headDim], each half repeated (HF: emb = cat(freqs, freqs)). */
    public static float[][] tables(ModelConfig.RopeSpec spec, int positions) {
        double[] inv = inverseFrequencies(spec);
        int half = inv.length;
        int d = spec.rotaryDim();
        float[] cos = new float[positions * d];
        float[] sin = new float[positions * d];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * (float) inv[i];
                float cv = (float) Math.cos(angle);
                float sv = (float) Math.sin(angle);
                cos[p * d + i] = cv;
                cos[p * d + i + half] = cv;
                sin[p * d + i] = sv;
                sin[p * d + i + half] = sv;
            }
        }
        return new float[][] {cos, sin};
    }
}
