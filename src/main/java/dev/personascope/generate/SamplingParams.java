package dev.personascope.generate;

import java.util.List;
import java.util.Map;

/**
 * How to pick tokens: temperature 0 is greedy; otherwise softmax(logits / temperature) restricted to
 * the smallest set of tokens whose probability reaches {@code topP} (nucleus sampling). Row b of a
 * batch samples with its own generator seeded by {@code seed + b}, so a row's text does not depend on
 * what else is in the batch.
 *
 * <p>Before that the logits are adjusted as OpenAI defines it: {@code logit[j] += logitBias[j]}, and
 * {@code logit[j] -= presencePenalty * (c[j] > 0) + frequencyPenalty * c[j]} where {@code c[j]} counts
 * how often token j was generated so far in this row (the prompt does not count).
 */
public record SamplingParams(int maxNewTokens, double temperature, double topP, long seed,
                             List<String> stopStrings, int topLogprobs,
                             double presencePenalty, double frequencyPenalty, Map<Integer, Double> logitBias) {

    public SamplingParams {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max tokens must be >= 0, got " + maxNewTokens);
        }
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (topLogprobs < 0 || topLogprobs > 20) {
            throw new IllegalArgumentException("top_logprobs must be in 0..20, got " + topLogprobs);
        }
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw new IllegalArgumentException("presence penalty must be in [-2, 2], got " + presencePenalty);
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw new IllegalArgumentException("frequency penalty must be in [-2, 2], got " + frequencyPenalty);
        }
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (Map.Entry<Integer, Double> e : logitBias.entrySet()) {
            if (e.getKey() < 0 || !(e.getValue() >= -100 && e.getValue() <= 100)) {
                throw new IllegalArgumentException("logit bias must map token ids >= 0 to values in [-100, 100], got "
                        + e.getKey() + " -> " + e.getValue());
            }
        }
    }

    public SamplingParams(int maxNewTokens, double temperature, double topP, long seed, List<String> stopStrings,
                          int topLogprobs) {
        this(maxNewTokens, temperature, topP, seed, stopStrings, topLogprobs, 0, 0, Map.of());
    }

    public static SamplingParams greedy(int maxNewTokens) {
        return new SamplingParams(maxNewTokens, 0, 1, 0, List.of(), 0);
    }

    public SamplingParams withTopLogprobs(int k) {
        return new SamplingParams(maxNewTokens, temperature, topP, seed, stopStrings, k, presencePenalty,
                frequencyPenalty, logitBias);
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(maxNewTokens, temperature, topP, s, stopStrings, topLogprobs, presencePenalty,
                frequencyPenalty, logitBias);
    }

    public SamplingParams withMaxNewTokens(int n) {
        return new SamplingParams(n, temperature, topP, seed, stopStrings, topLogprobs, presencePenalty,
                frequencyPenalty, logitBias);
    }

    public SamplingParams withPenalties(double presence, double frequency) {
        return new SamplingParams(maxNewTokens, temperature, topP, seed, stopStrings, topLogprobs, presence, frequency,
                logitBias);
    }

    public SamplingParams withLogitBias(Map<Integer, Double> bias) {
        return new SamplingParams(maxNewTokens, temperature, topP, seed, stopStrings, topLogprobs, presencePenalty,
                frequencyPenalty, bias);
    }

    /** Whether logits are changed before sampling (bias or penalties). */
    public boolean adjustsLogits() {
        return presencePenalty != 0 || frequencyPenalty != 0 || !logitBias.isEmpty();
    }
}
